package chart

import (
	"image/color"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// annotations draws reference lines and annotated points, placing every
// label where it crosses the fewest drawn lines, bars and other labels.
type annotations struct {
	refs    []RefLine
	notes   []Note
	time    bool
	lines   []plotter.XYs                                    // series drawn by the chart, in data units
	blocks  func(c draw.Canvas, p *plot.Plot) []vg.Rectangle // bars and their value labels, if any
	refSty  text.Style
	noteSty text.Style
}

// segment is a drawn line piece in canvas coordinates.
type segment struct{ a, b vg.Point }

func (an annotations) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	var series []segment
	for _, xys := range an.lines {
		for i := 1; i < len(xys); i++ {
			series = append(series, segment{
				vg.Point{X: trX(xys[i-1].X), Y: trY(xys[i-1].Y)},
				vg.Point{X: trX(xys[i].X), Y: trY(xys[i].Y)},
			})
		}
	}
	var placed []vg.Rectangle // bars, dots and labels already drawn
	if an.blocks != nil {
		placed = append(placed, an.blocks(c, p)...)
	}
	refs := make([]segment, len(an.refs))
	for i, r := range an.refs {
		y := trY(r.Y)
		refs[i] = segment{vg.Point{X: c.Min.X, Y: y}, vg.Point{X: c.Max.X, Y: y}}
		c.StrokeLine2(draw.LineStyle{Color: refColor(r), Width: vg.Points(1), Dashes: []vg.Length{vg.Points(4), vg.Points(2)}}, c.Min.X, y, c.Max.X, y)
	}

	points := make([]vg.Point, len(an.notes))
	for i, n := range an.notes {
		x := n.X
		if an.time {
			x = float64(n.T.Unix())
		}
		pt := vg.Point{X: trX(x), Y: trY(n.Y)}
		points[i] = pt
		r := vg.Points(3)
		c.DrawGlyphNoClip(draw.GlyphStyle{Color: ink, Radius: r, Shape: draw.RingGlyph{}}, pt)
		placed = append(placed, vg.Rectangle{Min: vg.Point{X: pt.X - r, Y: pt.Y - r}, Max: vg.Point{X: pt.X + r, Y: pt.Y + r}})
	}
	// Note labels first: they must stay near their point, while a reference
	// label can go anywhere along its line.
	for i, n := range an.notes {
		if n.Label == "" {
			continue
		}
		pt := points[i]
		var cands []placement
		for _, d := range []float64{6, 14, 26, 42, 64} {
			dd := vg.Points(d)
			cands = append(cands,
				placement{vg.Point{X: pt.X + dd, Y: pt.Y + dd/2}, draw.XLeft, draw.YBottom},
				placement{vg.Point{X: pt.X - dd, Y: pt.Y + dd/2}, draw.XRight, draw.YBottom},
				placement{vg.Point{X: pt.X + dd, Y: pt.Y}, draw.XLeft, draw.YCenter},
				placement{vg.Point{X: pt.X - dd, Y: pt.Y}, draw.XRight, draw.YCenter},
				placement{vg.Point{X: pt.X + dd, Y: pt.Y - dd/2}, draw.XLeft, draw.YTop},
				placement{vg.Point{X: pt.X - dd, Y: pt.Y - dd/2}, draw.XRight, draw.YTop},
				placement{vg.Point{X: pt.X, Y: pt.Y + dd}, draw.XCenter, draw.YBottom},
			)
		}
		obs := obstacles{segs: append(slices.Clone(series), refs...), rects: placed}
		best, rect := obs.best(c, an.noteSty, n.Label, cands)
		if near := nearestPoint(rect, pt); dist(near, pt) > vg.Points(9) {
			c.StrokeLine2(draw.LineStyle{Color: muted, Width: vg.Points(0.6)}, pt.X, pt.Y, near.X, near.Y)
		}
		drawLabel(c, an.noteSty, best, n.Label)
		placed = append(placed, rect)
	}
	for i, r := range an.refs {
		if r.Label == "" {
			continue
		}
		y := refs[i].a.Y
		sty := an.refSty
		sty.Color = refColor(r)
		// A label sits on its own line, so only the other lines count.
		obs := obstacles{segs: slices.Clone(series), rects: placed}
		for j, seg := range refs {
			if j != i {
				obs.segs = append(obs.segs, seg)
			}
		}
		// Text set on YBottom hangs its descent below the anchor.
		g := vg.Points(2)
		up := g + sty.FontExtents().Descent + margin
		var cands []placement
		for _, pos := range []struct {
			x     vg.Length
			align draw.XAlignment
		}{
			{c.Min.X + g, draw.XLeft}, {c.Max.X - g, draw.XRight},
			{c.Min.X + (c.Max.X-c.Min.X)/4, draw.XCenter}, {c.Min.X + 3*(c.Max.X-c.Min.X)/4, draw.XCenter},
		} {
			cands = append(cands,
				placement{vg.Point{X: pos.x, Y: y + up}, pos.align, draw.YBottom},
				placement{vg.Point{X: pos.x, Y: y - g}, pos.align, draw.YTop})
		}
		best, rect := obs.best(c, sty, r.Label, cands)
		drawLabel(c, sty, best, r.Label)
		placed = append(placed, rect)
	}
}

func refColor(r RefLine) color.Color {
	if r.Color != nil {
		return r.Color
	}
	return refRed
}

// placement is one candidate position for a label.
type placement struct {
	at     vg.Point
	xalign draw.XAlignment
	yalign draw.YAlignment
}

// obstacles are what a label should not cover.
type obstacles struct {
	segs  []segment
	rects []vg.Rectangle
}

// best returns the candidate inside c whose label box covers the fewest
// obstacles, the earliest on ties, and that box.
func (o obstacles) best(c draw.Canvas, sty text.Style, txt string, cands []placement) (placement, vg.Rectangle) {
	bestScore := -1
	var best placement
	var bestRect vg.Rectangle
	for _, p := range cands {
		r := labelRect(sty, p, txt)
		score := 0
		if r.Min.X < c.Min.X || r.Max.X > c.Max.X || r.Min.Y < c.Min.Y || r.Max.Y > c.Max.Y {
			score += 1000 // clipped
		}
		for _, s := range o.segs {
			if crosses(s, r) {
				score++
			}
		}
		for _, q := range o.rects {
			if overlaps(q, r) {
				score += 100
			}
		}
		if bestScore < 0 || score < bestScore {
			bestScore, best, bestRect = score, p, r
		}
		if score == 0 {
			break
		}
	}
	return best, bestRect
}

// margin is the white space kept around a label.
var margin = vg.Points(1.5)

func labelRect(sty text.Style, p placement, txt string) vg.Rectangle {
	sty.XAlign, sty.YAlign = p.xalign, p.yalign
	r := sty.Rectangle(txt)
	return vg.Rectangle{
		Min: vg.Point{X: p.at.X + r.Min.X - margin, Y: p.at.Y + r.Min.Y - margin},
		Max: vg.Point{X: p.at.X + r.Max.X + margin, Y: p.at.Y + r.Max.Y + margin},
	}
}

// drawLabel draws txt on a white box so it stays legible over grid lines.
func drawLabel(c draw.Canvas, sty text.Style, p placement, txt string) {
	r := labelRect(sty, p, txt)
	c.FillPolygon(color.NRGBA{0xFF, 0xFF, 0xFF, 0xE6}, []vg.Point{r.Min, {X: r.Max.X, Y: r.Min.Y}, r.Max, {X: r.Min.X, Y: r.Max.Y}})
	sty.XAlign, sty.YAlign = p.xalign, p.yalign
	c.FillText(sty, p.at, txt)
}

func overlaps(a, b vg.Rectangle) bool {
	return a.Min.X < b.Max.X && b.Min.X < a.Max.X && a.Min.Y < b.Max.Y && b.Min.Y < a.Max.Y
}

// crosses reports whether segment s touches rectangle r (Liang–Barsky).
func crosses(s segment, r vg.Rectangle) bool {
	t0, t1 := 0.0, 1.0
	dx, dy := float64(s.b.X-s.a.X), float64(s.b.Y-s.a.Y)
	for _, e := range [4][2]float64{
		{-dx, float64(s.a.X - r.Min.X)}, {dx, float64(r.Max.X - s.a.X)},
		{-dy, float64(s.a.Y - r.Min.Y)}, {dy, float64(r.Max.Y - s.a.Y)},
	} {
		p, q := e[0], e[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		t := q / p
		if p < 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
		if t0 > t1 {
			return false
		}
	}
	return true
}

func nearestPoint(r vg.Rectangle, p vg.Point) vg.Point {
	return vg.Point{X: min(max(p.X, r.Min.X), r.Max.X), Y: min(max(p.Y, r.Min.Y), r.Max.Y)}
}

func dist(a, b vg.Point) vg.Length {
	d := a.Sub(b)
	return vg.Length(math.Hypot(float64(d.X), float64(d.Y)))
}
