package pdf

import "fmt"

// Align is the horizontal alignment of a table column.
type Align int

// Column alignments.
const (
	Left Align = iota
	Right
	Center
)

func (a Align) fpdf() string {
	switch a {
	case Right:
		return "R"
	case Center:
		return "C"
	}
	return "L"
}

// Column is one table column.
type Column struct {
	Title string
	// Width is the column's share of the text width, relative to the other
	// columns; 0 counts as 1.
	Width float64
	Align Align
}

// Table is a simple table with a header row, such as the figures of a
// report, each row labelled reported (with its source), computed or assumed
// in a column of its own. Cells wrap; a row never splits across pages, and
// the header is repeated on every page the table spans.
type Table struct {
	Columns []Column
	Rows    [][]string
}

// Table adds t at the full text width.
func (d *Document) Table(t Table) {
	if !d.ok() {
		return
	}
	if len(t.Columns) == 0 {
		d.err = fmt.Errorf("pdf: %w: no columns", ErrTable)
		return
	}
	head := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = c.Title
	}
	if !d.check(true, head...) {
		return
	}
	for i, r := range t.Rows {
		if len(r) != len(t.Columns) {
			d.err = fmt.Errorf("pdf: %w: row %d has %d cells for %d columns", ErrTable, i+1, len(r), len(t.Columns))
			return
		}
		if !d.check(false, r...) {
			return
		}
	}
	d.ensurePage()

	widths := make([]float64, len(t.Columns))
	total := 0.0
	for i, c := range t.Columns {
		widths[i] = c.Width
		if widths[i] <= 0 {
			widths[i] = 1
		}
		total += widths[i]
	}
	for i := range widths {
		widths[i] *= TextWidth / total
	}
	const pad = 1.6 // mm inside each cell
	size := bodySize - 1
	lh := size * ptToMM * 1.4

	var row func(cells []string, header bool, fill [3]int)
	row = func(cells []string, header bool, fill [3]int) {
		d.font(header, size, inkRGB)
		wrapped := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			wrapped[i] = d.lines(c, widths[i]-2*pad)
			n = max(n, len(wrapped[i]))
		}
		h := float64(n)*lh + 2*pad
		if !d.room(h) {
			d.f.AddPage()
			if !header { // repeat the header above the rest of the rows
				row(head, true, headRGB)
			}
			d.font(header, size, inkRGB)
		}
		x, y := marginX, d.f.GetY()
		if fill != ([3]int{}) {
			d.f.SetFillColor(fill[0], fill[1], fill[2])
			d.f.Rect(marginX, y, TextWidth, h, "F")
		}
		for i, lines := range wrapped {
			for j, l := range lines {
				d.f.SetXY(x+pad, y+pad+float64(j)*lh)
				d.f.CellFormat(widths[i]-2*pad, lh, l, "", 0, t.Columns[i].Align.fpdf(), false, 0, "")
			}
			x += widths[i]
		}
		d.f.SetDrawColor(ruleRGB[0], ruleRGB[1], ruleRGB[2])
		d.f.SetLineWidth(0.2)
		d.f.Line(marginX, y+h, marginX+TextWidth, y+h)
		d.f.SetXY(marginX, y+h)
	}
	// The header does not stay alone at the end of a page.
	if !d.room(4 * (lh + 2*pad)) {
		d.f.AddPage()
	}
	row(head, true, headRGB)
	for i, r := range t.Rows {
		fill := [3]int{}
		if i%2 == 1 {
			fill = stripeRGB
		}
		row(r, false, fill)
	}
	d.f.Ln(3)
}
