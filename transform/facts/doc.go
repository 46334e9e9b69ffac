// Package facts reproduces the statistics trainers cite from the warehouse: for each
// figure of the facts registry (refdata) it runs a named SQL query that the
// user can read, compares the result with the reported value (scaled to the run), and
// gives a verdict. It also computes the article's consistency checks from the data.
// It sits after the warehouse and before the reports, which show its results.
package facts
