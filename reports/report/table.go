package report

import "github.com/hongbao/hongbao/reports/pdf"

// col is a table column: a title, a relative width, right-aligned for numbers.
func col(title string, width float64, right bool) pdf.Column {
	c := pdf.Column{Title: title, Width: width}
	if right {
		c.Align = pdf.Right
	}
	return c
}

// table starts a table with the given columns.
func table(cols ...pdf.Column) pdf.Table { return pdf.Table{Columns: cols} }
