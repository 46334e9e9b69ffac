// Package testenv holds test helpers shared by the reports packages: a missing
// font or tool skips a test on a workstation but fails it when CI=true, so a
// skipped test never hides a broken feature on CI.
package testenv
