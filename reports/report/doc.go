// Package report builds the strategist report, the last step of the flow: it
// reads the DuckDB warehouse (transform) read-only, computes each section's
// numbers with one tested data function per section (headline, midnight peak,
// payment adoption, bank coverage, payment scenarios, risk, method), taking
// the reproduced figures and consistency checks from the facts sheet
// (transform/facts) and the article's figures from the registry
// (refdata), draws the charts with reports/chart, writes each chart
// as a PNG and assembles charts, text and tables into one A4 PDF with
// reports/pdf. Every number is labelled reported (with its source), computed
// (from the events) or assumed (a parameter such as the bank card shares).
// Chinese output needs a TrueType CJK font (reports/fonts); English needs none.
package report
