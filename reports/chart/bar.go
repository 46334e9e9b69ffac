package chart

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/hongbao/hongbao/reports/fonts"
)

// Bar is a bar chart: one bar per category and group, groups side by side.
type Bar struct {
	Title  string
	XLabel string // may be empty when the categories say it all
	YLabel string // with unit, drawn above the plot
	Source string

	Categories []string   // along the x axis; long names wrap
	Groups     []BarGroup // one bar per category each; a single unnamed group has no legend
	Refs       []RefLine

	// CategoryColors colours the bars by category instead of by group; used
	// only with a single group (WeChat Pay green, Alipay blue).
	CategoryColors []color.Color

	// ValueLabels prints each bar's value above it.
	ValueLabels bool

	// Format formats values and y tick labels; nil means locale.Number.
	Format func(float64) string
}

// BarGroup is one series of a bar chart.
type BarGroup struct {
	Name   string
	Values []float64 // one per category
	Color  color.Color
}

var _ Chart = (*Bar)(nil)

func (b *Bar) encode(out encoding, fam fonts.Family, width, height vg.Length) ([]byte, error) {
	if err := b.validate(); err != nil {
		return nil, fmt.Errorf("bar chart %q: %w", b.Title, err)
	}
	format := numberFormat(b.Format)
	extra := append([]string(nil), b.Categories...)
	var legend []legendItem
	named := len(b.Groups) > 1 || b.Groups[0].Name != ""
	for i, g := range b.Groups {
		extra = append(extra, g.Name)
		if named {
			legend = append(legend, legendItem{name: g.Name, color: paletteColor(g.Color, i), bar: true})
		}
		for _, v := range g.Values {
			extra = append(extra, format(v))
		}
	}
	for _, r := range b.Refs {
		extra = append(extra, r.Label)
	}
	fr := frame{Title: b.Title, XLabel: b.XLabel, YLabel: b.YLabel, Source: b.Source}
	return render(out, fam, width, height, fr, extra, legend, func(s styles, area draw.Canvas) (*plot.Plot, error) {
		p := s.newPlot(b.XLabel)
		bs := bars{b: b, format: format, sty: s.text(noteSize, false, ink)}
		p.Add(bs)
		ylo, yhi := 0.0, 0.0
		for _, g := range b.Groups {
			for _, v := range g.Values {
				ylo, yhi = math.Min(ylo, v), math.Max(yhi, v)
			}
		}
		for _, r := range b.Refs {
			ylo, yhi = math.Min(ylo, r.Y), math.Max(yhi, r.Y)
		}
		yRange(p, ylo, yhi, 0.12)
		p.X.Min, p.X.Max = -0.5, float64(len(b.Categories))-0.5
		p.X.Padding = 0
		// Invisible ticks keep the category names off the axis line.
		p.X.Tick.Length = vg.Points(3)
		p.X.Tick.Color = color.Transparent
		p.Y.Tick.Marker = numberTicks{format: format, target: 5}
		if len(b.Refs) > 0 {
			p.Add(annotations{refs: b.Refs, blocks: bs.blocks, refSty: s.text(noteSize, false, refRed)})
		}
		// Category names wrap to the width of their slot, measured on the
		// laid-out plot; wrapping only adds lines, so the width holds.
		p.X.Tick.Marker = categoryTicks(b.Categories)
		dc := p.DataCanvas(area)
		slot := (dc.Max.X - dc.Min.X) / vg.Length(len(b.Categories))
		// A word wider than its slot would be broken mid-word: shrink the
		// category names (down to minTickSize) until the widest word fits.
		if w := widestWord(b.Categories, p.X.Tick.Label); w > slot*0.92 {
			size := p.X.Tick.Label.Font.Size * (slot * 0.92) / w
			p.X.Tick.Label.Font.Size = max(size, vg.Points(minTickSize))
		}
		wrapped := make([]string, len(b.Categories))
		for i, c := range b.Categories {
			wrapped[i] = wrapBalanced(c, p.X.Tick.Label, slot*0.92)
		}
		p.X.Tick.Marker = categoryTicks(wrapped)
		return p, nil
	})
}

func categoryTicks(names []string) plot.ConstantTicks {
	ticks := make(plot.ConstantTicks, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
	}
	return ticks
}

func (b *Bar) validate() error {
	if len(b.Categories) == 0 || len(b.Groups) == 0 {
		return ErrNoData
	}
	for _, g := range b.Groups {
		if len(g.Values) != len(b.Categories) {
			return fmt.Errorf("%w: group %q has %d values for %d categories", ErrShape, g.Name, len(g.Values), len(b.Categories))
		}
		if err := finite(g.Values...); err != nil {
			return fmt.Errorf("group %q: %w", g.Name, err)
		}
	}
	for _, r := range b.Refs {
		if err := finite(r.Y); err != nil {
			return fmt.Errorf("reference line %q: %w", r.Label, err)
		}
	}
	if b.CategoryColors != nil && len(b.CategoryColors) != len(b.Categories) {
		return fmt.Errorf("%w: %d category colours for %d categories", ErrShape, len(b.CategoryColors), len(b.Categories))
	}
	return nil
}

// bars draws the bars and their value labels. Bars fill 70% of each
// category's slot, split evenly between groups.
type bars struct {
	b      *Bar
	format func(float64) string
	sty    text.Style
}

// barShape is where one bar and its value label go.
type barShape struct {
	rect  vg.Rectangle
	color color.Color
	label string
	at    vg.Point
	sty   text.Style
}

func (bs bars) shapes(c draw.Canvas, p *plot.Plot) []barShape {
	trX, trY := p.Transforms(&c)
	slot := trX(1) - trX(0)
	n := len(bs.b.Groups)
	w := slot * 0.7 / vg.Length(n)
	var out []barShape
	for gi, g := range bs.b.Groups {
		for ci, v := range g.Values {
			sh := barShape{color: paletteColor(g.Color, gi)}
			if n == 1 && bs.b.CategoryColors != nil && bs.b.CategoryColors[ci] != nil {
				sh.color = bs.b.CategoryColors[ci]
			}
			x := trX(float64(ci)) + (vg.Length(gi)-vg.Length(n-1)/2)*w
			y0, y1 := trY(0), trY(v)
			sh.rect = vg.Rectangle{Min: vg.Point{X: x - w/2, Y: min(y0, y1)}, Max: vg.Point{X: x + w/2, Y: max(y0, y1)}}
			if bs.b.ValueLabels {
				sh.label = bs.format(v)
				sh.sty = bs.sty
				sh.sty.XAlign, sh.sty.YAlign = draw.XCenter, draw.YBottom
				sh.at = vg.Point{X: x, Y: y1 + vg.Points(2)}
				if v < 0 {
					sh.sty.YAlign = draw.YTop
					sh.at.Y = y1 - vg.Points(2)
				}
			}
			out = append(out, sh)
		}
	}
	return out
}

func (bs bars) Plot(c draw.Canvas, p *plot.Plot) {
	for _, sh := range bs.shapes(c, p) {
		r := sh.rect
		c.FillPolygon(sh.color, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
		if sh.label != "" {
			c.FillText(sh.sty, sh.at, sh.label)
		}
	}
}

// blocks returns the boxes of bars and value labels, for label placement.
func (bs bars) blocks(c draw.Canvas, p *plot.Plot) []vg.Rectangle {
	var out []vg.Rectangle
	for _, sh := range bs.shapes(c, p) {
		out = append(out, sh.rect)
		if sh.label != "" {
			r := sh.sty.Rectangle(sh.label)
			out = append(out, vg.Rectangle{Min: sh.at.Add(r.Min), Max: sh.at.Add(r.Max)})
		}
	}
	return out
}

// minTickSize is the smallest size, in points, category names shrink to.
const minTickSize = 6

// widestWord returns the drawn width of the widest space-separated word of
// names. Chinese names have no spaces and may break between any two
// characters, so only their widest character counts.
func widestWord(names []string, sty text.Style) vg.Length {
	var w vg.Length
	for _, n := range names {
		for _, word := range strings.Fields(n) {
			if strings.IndexFunc(word, func(r rune) bool { return r > 0x2E7F }) >= 0 {
				for _, r := range word {
					w = max(w, sty.Width(string(r)))
				}
				continue
			}
			w = max(w, sty.Width(word))
		}
	}
	return w
}
