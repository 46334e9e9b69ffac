// Package testenv holds test helpers shared by every package: a missing
// font or tool skips a test on a workstation but fails it when CI=true, so a
// skipped test never hides a broken feature on CI.
package testenv
