package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/hongbao/hongbao/internal/textwrap"
	"github.com/hongbao/hongbao/internal/wholefile"
	"github.com/hongbao/hongbao/reports/fonts"
)

// Meta describes a document.
type Meta struct {
	Title   string // document title, shown by PDF viewers
	Subject string
	Author  string
	Lang    string    // BCP 47 language tag, e.g. "zh-CN" or "en"
	Footer  string    // text at the left of every footer, e.g. "hongbao · 2014 春节红包"
	Created time.Time // creation date recorded in the file; zero means now
}

// Page geometry in millimetres (A4).
const (
	pageW, pageH = 210.0, 297.0
	marginX      = 20.0
	marginTop    = 20.0
	marginBottom = 20.0
	// TextWidth is the width of the text block, the default image width.
	TextWidth = pageW - 2*marginX
)

// Text sizes in points and line heights as multiples of the size; Chinese
// needs more leading than Latin text to stay readable.
const (
	bodySize    = 10.5
	smallSize   = 8.5
	h1Size      = 15
	h2Size      = 12
	titleSize   = 26
	leading     = 1.55
	ptToMM      = 25.4 / 72
	fontFamily  = "body"
	footerSpace = 10.0
)

var (
	inkRGB    = [3]int{0x22, 0x22, 0x22}
	mutedRGB  = [3]int{0x66, 0x66, 0x66}
	accentRGB = [3]int{0xB0, 0x1E, 0x23} // red-envelope red
	ruleRGB   = [3]int{0xCC, 0xCC, 0xCC}
	stripeRGB = [3]int{0xF4, 0xF4, 0xF4}
	headRGB   = [3]int{0xE8, 0xE8, 0xE8}
)

// Document builds one PDF. Its methods add content in reading order; the
// first error (a missing glyph, an unreadable image, an fpdf failure) is kept,
// later calls do nothing, and Write returns it, so a document with a problem
// is never written.
type Document struct {
	f      *fpdf.Fpdf
	fam    fonts.Family
	meta   Meta
	err    error
	images int
	// footerFrom is the first page with a footer: title pages have none.
	footerFrom int
	// pending is set after the title page: the next content starts a page.
	pending bool
	// out holds the finished file once written; fpdf can close a document
	// only once.
	out []byte
}

// New starts an A4 portrait document set in fam. The fonts are embedded as
// UTF-8 subsets; the footer text and the digits of page numbers must be
// covered by fam.
func New(fam fonts.Family, meta Meta) (*Document, error) {
	if err := fam.Check(meta.Title, meta.Subject, meta.Author, meta.Footer, "0123456789"); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	f := fpdf.New("P", "mm", "A4", "")
	if err := fam.AddToPDF(f, fontFamily); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	f.SetMargins(marginX, marginTop, marginX)
	f.SetAutoPageBreak(true, marginBottom)
	f.SetCellMargin(0)
	f.SetTitle(meta.Title, true)
	f.SetSubject(meta.Subject, true)
	f.SetAuthor(meta.Author, true)
	f.SetCreator("hongbao", true)
	if meta.Lang != "" {
		f.SetLang(meta.Lang)
	}
	created := meta.Created
	if created.IsZero() {
		created = time.Now()
	}
	f.SetCreationDate(created)
	f.SetModificationDate(created)
	f.SetCatalogSort(true)

	d := &Document{f: f, fam: fam, meta: meta, footerFrom: 1}
	f.SetFooterFunc(d.footer)
	return d, nil
}

func (d *Document) footer() {
	if d.f.PageNo() < d.footerFrom {
		return
	}
	f := d.f
	y := pageH - marginBottom + footerSpace/2
	f.SetDrawColor(ruleRGB[0], ruleRGB[1], ruleRGB[2])
	f.SetLineWidth(0.2)
	f.Line(marginX, y-1.5, pageW-marginX, y-1.5)
	d.font(false, smallSize, mutedRGB)
	lh := smallSize * ptToMM * 1.3
	f.SetXY(marginX, y)
	page := strconv.Itoa(f.PageNo())
	pw := f.GetStringWidth(page)
	// The footer text is cut short rather than allowed to run into the number.
	text := d.meta.Footer
	if lines := textwrap.Lines(text, f.GetStringWidth, TextWidth-pw-6); len(lines) > 0 {
		text = lines[0]
	}
	f.CellFormat(TextWidth-pw, lh, text, "", 0, "L", false, 0, "")
	f.CellFormat(pw, lh, page, "", 0, "R", false, 0, "")
}

// font selects the body family at size points in colour rgb.
func (d *Document) font(bold bool, size float64, rgb [3]int) {
	style := ""
	if bold && d.fam.Bold != nil {
		style = "B"
	}
	d.f.SetFont(fontFamily, style, size)
	d.f.SetTextColor(rgb[0], rgb[1], rgb[2])
}

// check records a missing-glyph error for texts drawn with the bold (or
// regular) face and reports whether the document can go on.
func (d *Document) check(bold bool, texts ...string) bool {
	if !d.ok() {
		return false
	}
	face := d.fam.Regular
	if bold {
		face = d.fam.BoldOrRegular()
	}
	if err := face.Check(texts...); err != nil {
		d.err = fmt.Errorf("pdf: %w", err)
		return false
	}
	return true
}

// Discard returns a document that keeps nothing: the methods that add content do
// nothing, and Write and Save return ErrDiscarded. A caller that goes through its
// content twice, the first time only to learn what it holds, lays it out on one.
func Discard() *Document { return &Document{err: fmt.Errorf("pdf: %w", ErrDiscarded)} }

// ok reports whether content can still be added.
func (d *Document) ok() bool {
	if d.err == nil && d.out != nil {
		d.err = fmt.Errorf("pdf: %w", ErrWritten)
	}
	return d.err == nil
}

// Err returns the first error met while building, if any.
func (d *Document) Err() error {
	if d.err != nil {
		return d.err
	}
	return d.f.Error()
}

// Pages returns the number of pages so far.
func (d *Document) Pages() int {
	if d.f == nil {
		return 0 // Discard
	}
	return d.f.PageCount()
}

// ensurePage starts a page if none is open for content.
func (d *Document) ensurePage() {
	if d.f.PageCount() == 0 || d.pending {
		d.pending = false
		d.f.AddPage()
	}
}

// room reports whether h millimetres fit below the current position.
func (d *Document) room(h float64) bool {
	return d.f.GetY()+h <= pageH-marginBottom
}

// lines wraps text to width with the current font.
func (d *Document) lines(text string, width float64) []string {
	return textwrap.Lines(text, d.f.GetStringWidth, width)
}

// PageBreak starts a new page.
func (d *Document) PageBreak() {
	if d.ok() {
		d.pending = false
		d.f.AddPage()
	}
}

// TitlePage adds a page with the title, a subtitle and further lines (date,
// data, version) and no footer. It must come first.
func (d *Document) TitlePage(title, subtitle string, lines ...string) {
	if !d.check(true, title) || !d.check(false, append([]string{subtitle}, lines...)...) {
		return
	}
	if d.f.PageCount() > 0 {
		d.err = fmt.Errorf("pdf: the title page must be the first page")
		return
	}
	f := d.f
	f.AddPage()
	d.footerFrom = 2
	f.SetFillColor(accentRGB[0], accentRGB[1], accentRGB[2])
	f.Rect(marginX, 80, 24, 2.5, "F")
	f.SetXY(marginX, 90)
	d.font(true, titleSize, inkRGB)
	for _, l := range textwrap.Balanced(title, f.GetStringWidth, TextWidth) {
		f.CellFormat(TextWidth, titleSize*ptToMM*1.3, l, "", 2, "L", false, 0, "")
	}
	if subtitle != "" {
		f.Ln(4)
		d.font(false, h1Size, mutedRGB)
		d.text(subtitle, TextWidth, h1Size*ptToMM*leading, "L")
	}
	if len(lines) > 0 {
		f.SetY(pageH - 70)
		d.font(false, bodySize, mutedRGB)
		for _, l := range lines {
			d.text(l, TextWidth, bodySize*ptToMM*leading, "L")
		}
	}
	d.pending = true
}

// Heading adds a section heading (level 1) or sub-heading (level 2 and
// deeper). A heading too close to the page end moves to the next page, with
// room for a few lines under it.
func (d *Document) Heading(level int, text string) {
	if !d.check(true, text) {
		return
	}
	d.ensurePage()
	size, rgb, before := float64(h1Size), accentRGB, 6.0
	if level > 1 {
		size, rgb, before = h2Size, inkRGB, 3.5
	}
	d.font(true, size, rgb)
	lh := size * ptToMM * 1.35
	lines := textwrap.Balanced(text, d.f.GetStringWidth, TextWidth)
	need := before + float64(len(lines))*lh + 3*bodySize*ptToMM*leading
	if !d.room(need) {
		d.f.AddPage()
	} else if d.f.GetY() > marginTop+1 {
		d.f.Ln(before)
	}
	for _, l := range lines {
		d.f.CellFormat(TextWidth, lh, l, "", 2, "L", false, 0, "")
	}
	d.f.Ln(1.5)
}

// Paragraph adds body text, wrapped to the text width. Newlines in text
// start new lines.
func (d *Document) Paragraph(text string) {
	d.paragraph(text, bodySize, inkRGB)
}

// Note adds small muted text, for sources and caveats under a chart or table.
func (d *Document) Note(text string) {
	d.paragraph(text, smallSize, mutedRGB)
}

func (d *Document) paragraph(text string, size float64, rgb [3]int) {
	if !d.check(false, text) {
		return
	}
	d.ensurePage()
	d.font(false, size, rgb)
	d.text(text, TextWidth, size*ptToMM*leading, "L")
	d.f.Ln(size * ptToMM * 0.8)
}

// text writes wrapped lines at the left margin, one cell per line, so fpdf
// breaks pages between lines. fpdf's MultiCell is not used: it drops the
// Chinese character at each line break.
func (d *Document) text(text string, width, lh float64, align string) {
	x := d.f.GetX()
	for _, l := range d.lines(text, width) {
		d.f.SetX(x)
		d.f.CellFormat(width, lh, l, "", 2, align, false, 0, "")
	}
}

// Image places a PNG (a chart from reports/chart) at the left margin, scaled
// to width millimetres (0 means the text width) with its aspect ratio kept,
// starting a new page if it does not fit on this one.
func (d *Document) Image(png []byte, width float64) {
	if !d.ok() {
		return
	}
	d.ensurePage()
	if width <= 0 || width > TextWidth {
		width = TextWidth
	}
	d.images++
	name := fmt.Sprintf("img%d", d.images)
	opt := fpdf.ImageOptions{ImageType: "PNG"}
	info := d.f.RegisterImageOptionsReader(name, opt, bytes.NewReader(png))
	if err := d.f.Error(); err != nil || info == nil || info.Width() <= 0 {
		d.err = fmt.Errorf("pdf: %w: %v", ErrImage, err)
		return
	}
	h := width * info.Height() / info.Width()
	if !d.room(h) {
		d.f.AddPage()
	}
	y := d.f.GetY()
	d.f.ImageOptions(name, marginX, y, width, h, false, opt, 0, "")
	d.f.SetY(y + h + 3)
}

// Write finishes the document and writes it to w, or returns the first
// error met while building without writing anything. A finished document
// can be written again but takes no more content.
func (d *Document) Write(w io.Writer) error {
	if err := d.Err(); err != nil {
		return err
	}
	if d.out == nil {
		if d.f.PageCount() == 0 {
			d.f.AddPage()
		}
		out, err := d.output()
		if err != nil {
			return err
		}
		d.out = out
	}
	_, err := w.Write(d.out)
	return err
}

// output runs fpdf's Output. fpdf cuts the subset of the font the text used while it
// writes, with a parser that panics on some damaged fonts that x/image and AddToPDF
// accepted; such a panic is returned as an ErrBadFont error naming the font.
func (d *Document) output() (_ []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdf: %w: fpdf failed while writing the font %q into the PDF (%v); use another font", fonts.ErrBadFont, d.fam.Name(), p)
		}
	}()
	var buf bytes.Buffer
	if err := d.f.Output(&buf); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return buf.Bytes(), nil
}

// Save writes the document to path through a temporary file in the same
// folder, so a failed run never leaves half a PDF behind.
func (d *Document) Save(path string) error {
	if err := d.Err(); err != nil {
		return err
	}
	return wholefile.Write(path, 0o644, d.Write)
}
