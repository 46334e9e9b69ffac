// Package pdf assembles the strategist report: an A4 document built with
// fpdf from a title page, headings, paragraphs, tables of reported, computed
// and assumed figures, and chart PNGs from reports/chart scaled to the text
// width, with the page number in every page's footer. It is the last step of
// hongbao report. Fonts come from reports/fonts and are embedded as UTF-8
// (Type0, Identity-H) subsets; every string is checked for glyph coverage
// before it is placed, and a document with a missing glyph cannot be written.
package pdf
