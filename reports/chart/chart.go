package chart

import (
	"bytes"
	"fmt"
	"image/color"
	"math"
	"time"

	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/hongbao/hongbao/reports/fonts"
)

// DPI is the resolution of chart PNGs: sharp in print at the size the PDF
// places them, small enough to keep reports light.
const DPI = 200

// Chart is a chart PNG and SVG can draw: Line or Bar.
type Chart interface {
	encode(out encoding, fam fonts.Family, width, height vg.Length) ([]byte, error)
}

// PNG draws c width×height (printed size) at DPI with fam. It returns a
// *fonts.MissingGlyphsError, without drawing, when some text has a rune fam cannot
// draw.
func PNG(c Chart, fam fonts.Family, width, height vg.Length) ([]byte, error) {
	return c.encode(encodePNG, fam, width, height)
}

// SVG draws c as PNG does, as SVG with its fonts embedded. Embedding is cheap with
// Latin fonts and costs megabytes with a Chinese one, so callers use it for charts in
// English.
func SVG(c Chart, fam fonts.Family, width, height vg.Length) ([]byte, error) {
	return c.encode(encodeSVG, fam, width, height)
}

// PixelSize returns the pixel dimensions of a chart PNG of the given printed
// size.
func PixelSize(width, height vg.Length) (w, h int) {
	return int(float64(width/vg.Inch)*DPI + 0.5), int(float64(height/vg.Inch)*DPI + 0.5)
}

// Series is one line of a line chart. Set X for a numeric axis or T for a
// time axis, not both; Y has one value per x.
type Series struct {
	Name  string      // legend entry; a chart with one unnamed series has no legend
	X     []float64   // numeric x values
	T     []time.Time // times, drawn in Asia/Shanghai
	Y     []float64
	Color color.Color // nil picks from Palette by position
}

// RefLine is a horizontal reference line across the plot, such as a
// reported figure the computed curve is compared with.
type RefLine struct {
	Y     float64
	Label string // drawn above the line at its left end; may be empty
	Color color.Color
}

// Note marks one data point with a dot and a label, such as the peak minute.
// On a time axis set T, else X.
type Note struct {
	X     float64
	T     time.Time
	Y     float64
	Label string
}

// Palette holds the series colours, told apart also by readers with colour
// blindness (Okabe–Ito): WeChat green first, then Alipay blue.
var Palette = []color.Color{
	color.RGBA{0x00, 0x9E, 0x73, 0xFF}, // bluish green
	color.RGBA{0x00, 0x72, 0xB2, 0xFF}, // blue
	color.RGBA{0xE6, 0x9F, 0x00, 0xFF}, // orange
	color.RGBA{0xCC, 0x79, 0xA7, 0xFF}, // reddish purple
	color.RGBA{0x56, 0xB4, 0xE9, 0xFF}, // sky blue
	color.RGBA{0xD5, 0x5E, 0x00, 0xFF}, // vermillion
	color.RGBA{0xF0, 0xE4, 0x42, 0xFF}, // yellow
}

func paletteColor(c color.Color, i int) color.Color {
	if c != nil {
		return c
	}
	return Palette[i%len(Palette)]
}

var (
	ink      = color.RGBA{0x22, 0x22, 0x22, 0xFF}
	muted    = color.RGBA{0x66, 0x66, 0x66, 0xFF}
	gridGray = color.RGBA{0xE3, 0xE3, 0xE3, 0xFF}
	refRed   = color.RGBA{0xC0, 0x39, 0x2B, 0xFF}
)

// Text sizes in points, for a chart printed about 16 cm wide.
const (
	titleSize  = 11
	labelSize  = 8.5
	tickSize   = 8
	noteSize   = 8
	sourceSize = 7
)

// tickRunes are the runes the package itself puts into tick labels and
// formatted numbers, checked along with the caller's text.
const tickRunes = "0123456789,.-:\n"

// frame is the common part of a chart: text above and below the plot.
type frame struct {
	Title  string
	XLabel string
	YLabel string
	Source string
}

func (f frame) texts() []string {
	return []string{f.Title, f.XLabel, f.YLabel, f.Source, tickRunes}
}

// styles resolves the family into gonum/plot text styles. A private font
// cache keeps charts independent of gonum/plot's global defaults.
type styles struct {
	hdlr          text.Handler
	regular, bold font.Font
}

func newStyles(fam fonts.Family) styles {
	cache := font.NewCache(fam.PlotCollection())
	regular := fam.PlotFont()
	bold := regular
	bold.Weight = stdfont.WeightBold
	return styles{hdlr: text.Plain{Fonts: cache}, regular: regular, bold: bold}
}

func (s styles) text(size float64, bold bool, c color.Color) text.Style {
	f := s.regular
	if bold {
		f = s.bold
	}
	return text.Style{Color: c, Font: font.From(f, vg.Points(size)), Handler: s.hdlr, XAlign: draw.XLeft, YAlign: draw.YTop}
}

// newPlot returns a plot whose every text style uses the family.
func (s styles) newPlot(xlabel string) *plot.Plot {
	p := plot.New()
	p.TextHandler = s.hdlr
	p.Title.TextStyle = s.text(titleSize, true, ink)
	p.Legend.TextStyle = s.text(labelSize, false, ink)
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle = s.text(labelSize, false, ink)
		a.Label.TextStyle.XAlign = draw.XCenter
		a.Label.TextStyle.YAlign = draw.YBottom
		a.Tick.Label = s.text(tickSize, false, ink)
		a.Color = muted
		a.Tick.Color = muted
		a.Tick.Length = vg.Points(3)
	}
	p.X.Tick.Label.XAlign = draw.XCenter
	p.Y.Tick.Label.XAlign = draw.XRight
	p.Y.Tick.Label.YAlign = draw.YCenter
	p.X.Label.Text = xlabel
	p.X.Label.Padding = vg.Points(4)
	// The y label is drawn above the axis, horizontally, so Chinese reads
	// upright; the axis line itself is left out in favour of a grid.
	p.Y.Width = 0
	p.Y.Tick.Length = 0
	grid := plotter.NewGrid()
	grid.Vertical.Color = nil
	grid.Horizontal.Color = gridGray
	grid.Horizontal.Width = vg.Points(0.5)
	p.Add(grid)
	return p
}

// legendItem is one entry of the legend row.
type legendItem struct {
	name  string
	color color.Color
	bar   bool // a filled square instead of a line
}

// encoding is the file format render writes.
type encoding int

const (
	encodePNG encoding = iota
	encodeSVG
)

// render draws the frame around a plot on a width×height canvas at DPI:
// title and y label above, legend and source below. build makes the plot once
// the area left for it is known, so tick labels can be fitted to it. All text
// is checked against fam before anything is drawn.
func render(out encoding, fam fonts.Family, width, height vg.Length, fr frame, extra []string, legend []legendItem,
	build func(s styles, area draw.Canvas) (*plot.Plot, error)) ([]byte, error) {
	if err := fam.Check(append(fr.texts(), extra...)...); err != nil {
		return nil, fmt.Errorf("chart %q: %w", fr.Title, err)
	}
	if width < 5*vg.Centimeter || height < 4*vg.Centimeter {
		return nil, fmt.Errorf("%w: %v×%v, at least 5×4 cm", ErrSize, width, height)
	}
	s := newStyles(fam)
	var img vg.CanvasWriterTo
	if out == encodeSVG {
		svg := vgsvg.NewWith(vgsvg.UseWH(width, height), vgsvg.EmbedFonts(true))
		svg.SetColor(color.White)
		svg.Fill(vg.Path{{Type: vg.MoveComp}, {Type: vg.LineComp, Pos: vg.Point{X: width}},
			{Type: vg.LineComp, Pos: vg.Point{X: width, Y: height}}, {Type: vg.LineComp, Pos: vg.Point{Y: height}}, {Type: vg.CloseComp}})
		img = svg
	} else {
		img = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(DPI), vgimg.UseBackgroundColor(color.White))}
	}
	dc := draw.New(img)
	pad := vg.Points(8)
	area := draw.Crop(dc, pad, -pad, pad, -pad)
	textWidth := area.Max.X - area.Min.X

	// Top: title, then the y label.
	top := area.Max.Y
	for _, t := range []struct {
		txt string
		sty text.Style
		gap vg.Length
	}{
		{fr.Title, s.text(titleSize, true, ink), vg.Points(5)},
		{fr.YLabel, s.text(labelSize, false, muted), vg.Points(8)},
	} {
		if t.txt == "" {
			continue
		}
		txt := wrapBalanced(t.txt, t.sty, textWidth)
		area.FillText(t.sty, vg.Point{X: area.Min.X, Y: top}, txt)
		top -= t.sty.Height(txt) + t.gap
	}

	// Bottom: source lines, then the legend above them.
	bottom := area.Min.Y
	if fr.Source != "" {
		sty := s.text(sourceSize, false, muted)
		sty.YAlign = draw.YBottom
		txt := wrap(fr.Source, sty, textWidth)
		area.FillText(sty, vg.Point{X: area.Min.X, Y: bottom}, txt)
		bottom += sty.Height(txt) + vg.Points(6)
	}
	if len(legend) > 0 {
		bottom += drawLegend(area, s, legend, bottom) + vg.Points(4)
	}
	if top-bottom < 2*vg.Centimeter {
		return nil, fmt.Errorf("%w: %v×%v leaves no room for the plot", ErrSize, width, height)
	}

	plotArea := draw.Crop(area, 0, 0, bottom-area.Min.Y, top-area.Max.Y)
	p, err := build(s, plotArea)
	if err != nil {
		return nil, err
	}
	// Tick labels come from formatters, possibly the caller's.
	var ticks []string
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		for _, t := range a.Tick.Marker.Ticks(a.Min, a.Max) {
			ticks = append(ticks, t.Label)
		}
	}
	if err := fam.Check(ticks...); err != nil {
		return nil, fmt.Errorf("chart %q, tick labels: %w", fr.Title, err)
	}
	p.Draw(plotArea)

	var buf bytes.Buffer
	if _, err := img.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("encode chart %q: %w", fr.Title, err)
	}
	return buf.Bytes(), nil
}

// drawLegend draws the items in rows from y upwards and returns the height
// used. Rows wrap when the items do not fit the width.
func drawLegend(c draw.Canvas, s styles, items []legendItem, y vg.Length) vg.Length {
	sty := s.text(labelSize, false, ink)
	sty.YAlign = draw.YCenter
	swatch, gap, sep := vg.Points(14), vg.Points(4), vg.Points(14)
	rowH := sty.Height("国") + vg.Points(3)

	// Lay out rows first (top row first), then draw bottom-up.
	var rows [][]legendItem
	x := vg.Length(0)
	for _, it := range items {
		w := swatch + gap + sty.Width(it.name)
		if len(rows) == 0 || (x > 0 && x+w > c.Max.X-c.Min.X) {
			rows = append(rows, nil)
			x = 0
		}
		rows[len(rows)-1] = append(rows[len(rows)-1], it)
		x += w + sep
	}
	for i, row := range rows {
		cy := y + vg.Length(len(rows)-1-i)*rowH + rowH/2
		x := c.Min.X
		for _, it := range row {
			if it.bar {
				h := vg.Points(7)
				c.FillPolygon(it.color, []vg.Point{{X: x + swatch/2 - h/2, Y: cy - h/2}, {X: x + swatch/2 + h/2, Y: cy - h/2}, {X: x + swatch/2 + h/2, Y: cy + h/2}, {X: x + swatch/2 - h/2, Y: cy + h/2}})
			} else {
				c.StrokeLine2(draw.LineStyle{Color: it.color, Width: vg.Points(2)}, x, cy, x+swatch, cy)
			}
			c.FillText(sty, vg.Point{X: x + swatch + gap, Y: cy}, it.name)
			x += swatch + gap + sty.Width(it.name) + sep
		}
	}
	return vg.Length(len(rows)) * rowH
}

// numberTicks marks a numeric axis at round steps (1, 2, 2.5 or 5 times a
// power of ten) with about target labelled ticks and a minor tick between
// each pair, labelled by format, so large counts read 12,000,000 and not
// 1.2e+07.
type numberTicks struct {
	format func(float64) string
	target int
}

func (nt numberTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: nt.format(lo)}}
	}
	target := max(nt.target, 2)
	raw := (hi - lo) / float64(target)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{2, 2.5, 5, 10} {
		if math.Abs((hi-lo)/(m*mag)-float64(target)) < math.Abs((hi-lo)/step-float64(target)) {
			step = m * mag
		}
	}
	var ticks []plot.Tick
	first := math.Ceil(lo/step-1e-9) * step
	for i := 0; ; i++ {
		v := first + float64(i)*step
		if v > hi+step*1e-9 {
			break
		}
		if math.Abs(v) < step*1e-9 {
			v = 0
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: nt.format(v)})
		if minor := v + step/2; minor <= hi {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	if minor := first - step/2; minor >= lo {
		ticks = append(ticks, plot.Tick{Value: minor})
	}
	return ticks
}

// yRange sets the y axis to include zero for non-negative data and leaves
// headroom above the highest value for labels.
func yRange(p *plot.Plot, lo, hi, headroom float64) {
	if lo > 0 {
		lo = 0
	}
	if hi <= lo {
		hi = lo + 1
	}
	if hi > 0 {
		hi += (hi - lo) * headroom
	}
	p.Y.Min, p.Y.Max = lo, hi
}

func finite(vs ...float64) error {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: value %v", ErrShape, v)
		}
	}
	return nil
}
