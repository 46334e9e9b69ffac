package notebooks

import (
	"encoding/xml"
	"fmt"
	"image/color"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/textwrap"
	"github.com/hongbao/hongbao/reports/chart"
)

// figure is a notebook chart ready to lay out: its data in plot units and its texts.
type figure struct {
	title, xlabel, ylabel, source string
	alt                           string // what the chart shows, for readers who cannot see it

	bar         bool
	categories  []string // bar: the x axis, in row order
	valueLabels bool     // bar: each bar's value above it
	isTime      bool     // line: x holds Unix seconds, shown in Asia/Shanghai
	series      []figSeries
	refs        []chart.RefLine
}

// figSeries is one line (x and y, sorted by x) or one bar group (y per category).
type figSeries struct {
	name string
	x, y []float64
}

// The chart's size and text sizes, in CSS pixels: 760 wide, as wide as the PNG
// charts were shown; the height follows from the texts around the plot.
const (
	svgWidth     = 760.0
	svgPad       = 14.0
	plotHeight   = 270.0
	titleSize    = 16.0
	labelSize    = 12.5
	tickSize     = 11.5
	minTickSize  = 9.0
	noteSize     = 11.0
	sourceSize   = 11.0
	lineSpacing  = 1.3 // line height over text size
	maxLabelRune = 40  // longer category and series names are cut, in full in the bar's tooltip
)

// svgFonts is the font list the browser draws the texts with: the page's, with Chinese
// fonts of every platform before the generic fallback.
const svgFonts = `system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'Source Han Sans SC', ` +
	`'WenQuanYi Micro Hei', 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', sans-serif`

// Colours of text and lines, as in the report charts.
const (
	inkColor   = "#222222"
	mutedColor = "#666666"
	gridColor  = "#e3e3e3"
	refColor   = "#c0392b"
)

// textWidth estimates the drawn width of s at size. The browser picks the font, so
// the layout cannot measure; the estimate errs wide (DejaVu Sans, a wide sans-serif,
// is the model, CJK characters are one em), so that text does not reach past what the
// layout gave it.
func textWidth(s string, size float64) float64 {
	em := 0.0
	for _, r := range s {
		switch k := width.LookupRune(r).Kind(); {
		case k == width.EastAsianWide || k == width.EastAsianFullwidth:
			em += 1
		case r == ' ':
			em += 0.32
		case strings.ContainsRune("iIl.,:;'|!()[]{}jtf\"`", r):
			em += 0.36
		case r >= '0' && r <= '9':
			em += 0.64
		case strings.ContainsRune("mwMW@%", r):
			em += 0.95
		case unicode.IsUpper(r):
			em += 0.74
		default:
			em += 0.62
		}
	}
	return em * size * 1.04 // and a little more, for fonts wider still
}

func boldWidth(s string, size float64) float64 { return textWidth(s, size) * 1.1 }

// wrapText breaks s into lines no wider than w at size, as even as possible.
func wrapText(s string, size, w float64, measure func(string, float64) float64) []string {
	if s == "" {
		return nil
	}
	return textwrap.Balanced(s, func(t string) float64 { return measure(t, size) }, w)
}

// cut shortens s to n runes, marking the cut with an ellipsis.
func cut(s string, n int) string {
	rs := []rune(s)
	if len(rs) <= n {
		return s
	}
	return string(rs[:n-1]) + "…"
}

// cutToWidth shortens s until it is no wider than w at size.
func cutToWidth(s string, size, w float64) string {
	rs := []rune(s)
	for n := len(rs); n > 1; n-- {
		t := string(rs[:n])
		if n < len(rs) {
			t = string(rs[:n-1]) + "…"
		}
		if textWidth(t, size) <= w {
			return t
		}
	}
	return string(rs[:min(1, len(rs))])
}

// esc escapes s for XML text and attribute values alike; a rune XML cannot hold
// (a control character, invalid UTF-8 from user data) becomes U+FFFD.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // a strings.Builder does not fail
	return b.String()
}

// num writes a coordinate: one decimal is finer than a pixel.
func num(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func hexColor(c color.Color) string {
	r, g, b, _ := c.RGBA()
	return fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
}

func seriesColor(i int) string { return hexColor(chart.Palette[i%len(chart.Palette)]) }

// svgBuf collects the elements of the chart.
type svgBuf struct{ strings.Builder }

func (b *svgBuf) el(format string, args ...any) {
	fmt.Fprintf(b, format, args...)
	b.WriteByte('\n')
}

// text writes one <text>, its lines as <tspan>s lineH apart, the first with its
// baseline at y. attrs are further attributes, already escaped.
func (b *svgBuf) text(class string, x, y, size float64, attrs string, lines []string) {
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, `<text class="%s" x="%s" y="%s" font-size="%s"%s>`, class, num(x), num(y), num(size), attrs)
	if len(lines) == 1 {
		b.WriteString(esc(lines[0]))
	} else {
		for i, l := range lines {
			dy := 0.0
			if i > 0 {
				dy = size * lineSpacing
			}
			fmt.Fprintf(b, `<tspan x="%s" dy="%s">%s</tspan>`, num(x), num(dy), esc(l))
		}
	}
	b.WriteString("</text>\n")
}

// linesHeight is the height lines of text at size take, baseline to baseline plus
// the first line's ascent.
func linesHeight(n int, size float64) float64 {
	if n == 0 {
		return 0
	}
	return size + float64(n-1)*size*lineSpacing
}

// axis maps data values to pixels.
type axis struct{ lo, hi, from, to float64 }

func (a axis) at(v float64) float64 { return a.from + (v-a.lo)/(a.hi-a.lo)*(a.to-a.from) }

// span widens an empty or degenerate range [lo, hi] and refuses one too wide to
// compute with.
func span(lo, hi, pad float64) (float64, float64, error) {
	if !(hi-lo > 1e-9*max(math.Abs(lo), math.Abs(hi))) {
		d := max(pad, math.Abs(lo)*0.05)
		lo, hi = lo-d, hi+d
	}
	if math.IsInf(hi-lo, 0) || math.IsNaN(hi-lo) {
		return 0, 0, fmt.Errorf("%w: values from %g to %g are too far apart to draw", ErrChart, lo, hi)
	}
	return lo, hi, nil
}

// labelled keeps the ticks with a label.
func labelled(ticks []plotTick) []plotTick {
	var out []plotTick
	for _, t := range ticks {
		if t.label != "" {
			out = append(out, t)
		}
	}
	return out
}

type plotTick struct {
	value float64
	label string
}

func numberTicks(lo, hi float64, target int) []plotTick {
	var out []plotTick
	for _, t := range chart.NumberTicks(lo, hi, target, locale.Number) {
		out = append(out, plotTick{t.Value, t.Label})
	}
	return out
}

func timeTicks(lo, hi float64, maxMajor int) []plotTick {
	var out []plotTick
	for _, t := range chart.TimeTicks(time.Unix(int64(lo), 0), time.Unix(int64(hi), 0), maxMajor) {
		out = append(out, plotTick{t.Value, t.Label})
	}
	return out
}

// svg lays the figure out and writes it as one <svg> element: title and y label
// above the plot, y ticks on the left with a grid, the bars or lines, reference
// lines, x ticks or category names under it, then the x label, the legend and the
// source. Every size is computed here; the browser only draws.
func (f *figure) svg() ([]byte, error) {
	// The y axis: zero included for data that does not go below it, room above the
	// highest value for value labels.
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, s := range f.series {
		for _, v := range s.y {
			ylo, yhi = min(ylo, v), max(yhi, v)
		}
	}
	for _, r := range f.refs {
		ylo, yhi = min(ylo, r.Y), max(yhi, r.Y)
	}
	ylo = min(ylo, 0)
	if yhi <= ylo {
		yhi = ylo + 1
	}
	if yhi > 0 {
		yhi += (yhi - ylo) * 0.12
	}
	ylo, yhi, err := span(ylo, yhi, 1)
	if err != nil {
		return nil, err
	}
	yticks := labelled(numberTicks(ylo, yhi, 5))

	left := 0.0
	for _, t := range yticks {
		left = max(left, textWidth(t.label, tickSize))
	}
	left += svgPad + 8

	// The x axis of a line chart; its last label may reach past the plot's right edge.
	var xlo, xhi float64
	right := svgWidth - svgPad - 20
	if !f.bar {
		xlo, xhi = math.Inf(1), math.Inf(-1)
		for _, s := range f.series {
			xlo, xhi = min(xlo, s.x[0]), max(xhi, s.x[len(s.x)-1])
		}
		pad := 1.0
		if f.isTime {
			pad = 1800 // a single time: half an hour either side
		}
		if xlo, xhi, err = span(xlo, xhi, pad); err != nil {
			return nil, err
		}
		if !f.isTime {
			right = svgWidth - svgPad - max(20, textWidth(locale.Number(xhi), tickSize)/2)
		}
	}
	if f.bar {
		left += f.slantRoom(left, right-left)
	}
	plotW := right - left
	textW := svgWidth - 2*svgPad

	var b svgBuf
	var body svgBuf // everything but the opening tag, which needs the height
	y := svgPad

	// Title, then the y label, which reads upright above the axis, as in the reports.
	if lines := wrapText(f.title, titleSize, textW, boldWidth); len(lines) > 0 {
		body.text("title", svgPad, y+titleSize, titleSize, ` font-weight="bold" fill="`+inkColor+`"`, lines)
		y += linesHeight(len(lines), titleSize) + 8
	}
	if lines := wrapText(f.ylabel, labelSize, textW, textWidth); len(lines) > 0 {
		body.text("ylabel", svgPad, y+labelSize, labelSize, ` fill="`+mutedColor+`"`, lines)
		y += linesHeight(len(lines), labelSize) + 6
	}
	top := y + 6
	bottom := top + plotHeight
	ya := axis{lo: ylo, hi: yhi, from: bottom, to: top}

	// Grid and y ticks.
	for _, t := range yticks {
		py := ya.at(t.value)
		body.el(`<line class="grid" x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, num(left), num(right), num(py), num(py), gridColor)
		body.text("ytick", left-8, py+tickSize*0.35, tickSize, ` text-anchor="end" fill="`+inkColor+`"`, []string{t.label})
	}

	// The data, then the x axis under it.
	y = bottom + 6
	if f.bar {
		y = f.drawBars(&body, ya, left, plotW, y)
	} else {
		y = f.drawLines(&body, ya, axis{lo: xlo, hi: xhi, from: left, to: right}, plotW, y)
	}
	// Bars stand on zero; a line's x ticks hang from the bottom of the plot.
	axisY := ya.at(0)
	if !f.bar {
		axisY = bottom
	}
	body.el(`<line class="axis" x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, num(left), num(right), num(axisY), num(axisY), mutedColor)

	// Reference lines over the data, each label above its line's left end.
	for _, r := range f.refs {
		py := ya.at(r.Y)
		body.el(`<line class="ref" x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1.2" stroke-dasharray="5 4"/>`, num(left), num(right), num(py), num(py), refColor)
		if r.Label != "" {
			body.text("ref-label", left+4, py-4, noteSize, ` fill="`+refColor+`"`, []string{cutToWidth(r.Label, noteSize, plotW-8)})
		}
	}

	if lines := wrapText(f.xlabel, labelSize, textW, textWidth); len(lines) > 0 {
		body.text("xlabel", left+plotW/2, y+labelSize, labelSize, ` text-anchor="middle" fill="`+mutedColor+`"`, lines)
		y += linesHeight(len(lines), labelSize) + 8
	}
	y = f.drawLegend(&body, y, textW)
	if lines := wrapText(f.source, sourceSize, textW, textWidth); len(lines) > 0 {
		body.text("source", svgPad, y+sourceSize, sourceSize, ` fill="`+mutedColor+`"`, lines)
		y += linesHeight(len(lines), sourceSize) + 4
	}
	height := math.Ceil(y + svgPad)

	b.el(`<svg xmlns="http://www.w3.org/2000/svg" class="nb-chart" role="img" viewBox="0 0 %s %s" width="%s" height="%s" font-family="%s">`,
		num(svgWidth), num(height), num(svgWidth), num(height), esc(svgFonts))
	b.el(`<title>%s</title>`, esc(f.alt))
	b.el(`<rect class="background" width="%s" height="%s" fill="#ffffff"/>`, num(svgWidth), num(height))
	b.WriteString(body.String())
	b.WriteString("</svg>")
	return []byte(b.String()), nil
}

// drawBars draws the bars, their value labels and the category names under them,
// and returns the y below the names.
func (f *figure) drawBars(b *svgBuf, ya axis, left, plotW, y float64) float64 {
	n, ng := len(f.categories), len(f.series)
	slot := plotW / float64(n)
	bw := slot * 0.7 / float64(ng)
	zero := ya.at(0)
	for gi, s := range f.series {
		for ci, v := range s.y {
			cx := left + slot*(float64(ci)+0.5) + (float64(gi)-float64(ng-1)/2)*bw
			py := ya.at(v)
			tip := f.categories[ci] + ": " + locale.Number(v)
			if s.name != "" {
				tip = s.name + ", " + tip
			}
			b.el(`<rect class="bar" x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
				num(cx-bw/2), num(min(py, zero)), num(bw), num(math.Abs(zero-py)), seriesColor(gi), esc(tip))
			if f.valueLabels {
				ly := py - 4
				if v < 0 {
					ly = py + 4 + noteSize*0.8
				}
				b.text("value", cx, ly, noteSize, ` text-anchor="middle" fill="`+inkColor+`"`, []string{locale.Number(v)})
			}
		}
	}

	size, wrapped, slant := f.categoryLayout(slot)
	if slant {
		// Slanted 45° up to the left, each name ends under its bar and is cut where it
		// would leave the chart.
		deepest := 0.0
		for i, c := range f.categories {
			cx := left + slot*(float64(i)+0.5)
			name := cutToWidth(cut(c, maxLabelRune), size, (cx-svgPad)*math.Sqrt2)
			if name == "" {
				continue
			}
			ty := y + size*0.8
			b.text("category", cx, ty, size, fmt.Sprintf(` text-anchor="end" transform="rotate(-45 %s %s)" fill="%s"`, num(cx), num(ty), inkColor), []string{name})
			deepest = max(deepest, textWidth(name, size)/math.Sqrt2+size)
		}
		return y + deepest + 10
	}
	deepest := 0
	for i, lines := range wrapped {
		cx := left + slot*(float64(i)+0.5)
		b.text("category", cx, y+size, size, ` text-anchor="middle" fill="`+inkColor+`"`, lines)
		deepest = max(deepest, len(lines))
	}
	return y + linesHeight(deepest, size) + 10
}

// categoryLayout fits the category names under bars slot wide: on one line or wrapped
// to their slot, on at most three lines, shrunk (down to minTickSize) until the widest
// word fits (a Chinese name breaks between any two characters); else slanted, at size.
func (f *figure) categoryLayout(slot float64) (size float64, wrapped [][]string, slant bool) {
	avail := slot * 0.92
	for _, size := range []float64{tickSize, 10.5, minTickSize} {
		if widestWord(f.categories, size) > avail {
			continue
		}
		wrapped, slant = make([][]string, len(f.categories)), false
		for i, c := range f.categories {
			wrapped[i] = wrapText(cut(c, maxLabelRune), size, avail, textWidth)
			slant = slant || len(wrapped[i]) > 3
		}
		if !slant {
			return size, wrapped, false
		}
	}
	return 10.5, nil, true
}

// slantRoom is how much further right the plot should start so that slanted category
// names, each ending under its bar, need not be cut at the chart's left edge; at most
// maxRoom, beyond which the plot would shrink too much and the names are cut instead.
func (f *figure) slantRoom(left, plotW float64) float64 {
	const maxRoom = 120
	slot := plotW / float64(len(f.categories))
	size, _, slant := f.categoryLayout(slot)
	if !slant {
		return 0
	}
	room := 0.0
	for i, c := range f.categories {
		cx := left + slot*(float64(i)+0.5)
		room = max(room, textWidth(cut(c, maxLabelRune), size)/math.Sqrt2-(cx-svgPad))
	}
	return min(room, maxRoom)
}

// widestWord is the estimated width of the widest space-separated word of names; a
// Chinese word may break between characters, so only its widest character counts.
func widestWord(names []string, size float64) float64 {
	w := 0.0
	for _, n := range names {
		for _, word := range strings.Fields(cut(n, maxLabelRune)) {
			if strings.IndexFunc(word, func(r rune) bool { return r > 0x2E7F }) >= 0 {
				for _, r := range word {
					w = max(w, textWidth(string(r), size))
				}
				continue
			}
			w = max(w, textWidth(word, size))
		}
	}
	return w
}

// drawLines draws one polyline per series, and the x ticks under them, and returns
// the y below the tick labels.
func (f *figure) drawLines(b *svgBuf, ya, xa axis, plotW, y float64) float64 {
	for i, s := range f.series {
		var pts strings.Builder
		for j := range s.x {
			if j > 0 {
				pts.WriteByte(' ')
			}
			pts.WriteString(num(xa.at(s.x[j])) + "," + num(ya.at(s.y[j])))
		}
		b.el(`<polyline class="series" points="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round"><title>%s</title></polyline>`,
			pts.String(), seriesColor(i), esc(cut(s.name, maxLabelRune)))
		// A line of a few points shows them, and a line of one point is only its dot.
		if len(s.x) <= 31 {
			for j := range s.x {
				b.el(`<circle class="point" cx="%s" cy="%s" r="2.5" fill="%s"/>`, num(xa.at(s.x[j])), num(ya.at(s.y[j])), seriesColor(i))
			}
		}
	}

	var ticks []plotTick
	if f.isTime {
		ticks = timeTicks(xa.lo, xa.hi, max(2, int(plotW/(2*textWidth("00:00", tickSize)))))
	} else {
		labelW := max(textWidth(locale.Number(xa.lo), tickSize), textWidth(locale.Number(xa.hi), tickSize))
		ticks = numberTicks(xa.lo, xa.hi, max(2, min(8, int(plotW/(2*labelW)))))
	}
	axisY := y - 6
	lines := 0
	for _, t := range ticks {
		px := xa.at(t.value)
		if px < xa.from-0.5 || px > xa.to+0.5 {
			continue
		}
		tl := 3.0
		if t.label != "" {
			tl = 5
		}
		b.el(`<line class="xtick" x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="1"/>`, num(px), num(px), num(axisY), num(axisY+tl), mutedColor)
		if t.label != "" {
			l := strings.Split(t.label, "\n")
			b.text("xtick-label", px, y+tickSize, tickSize, ` text-anchor="middle" fill="`+inkColor+`"`, l)
			lines = max(lines, len(l))
		}
	}
	return y + linesHeight(lines, tickSize) + 10
}

// drawLegend draws a swatch and name per series when the series have names, in rows
// that wrap at w, and returns the y below them.
func (f *figure) drawLegend(b *svgBuf, y, w float64) float64 {
	if len(f.series) == 1 && f.series[0].name == "" {
		return y
	}
	const swatch, gap, sep = 16.0, 5.0, 18.0
	rowH := labelSize * 1.6
	x := svgPad
	cy := y + rowH/2
	for i, s := range f.series {
		name := cut(s.name, maxLabelRune)
		iw := swatch + gap + textWidth(name, labelSize)
		if x > svgPad && x+iw > svgPad+w {
			x, cy = svgPad, cy+rowH
		}
		if f.bar {
			b.el(`<rect class="swatch" x="%s" y="%s" width="10" height="10" fill="%s"/>`, num(x+3), num(cy-5), seriesColor(i))
		} else {
			b.el(`<line class="swatch" x1="%s" x2="%s" y1="%s" y2="%s" stroke="%s" stroke-width="2.5"/>`, num(x), num(x+swatch), num(cy), num(cy), seriesColor(i))
		}
		b.text("legend", x+swatch+gap, cy+labelSize*0.35, labelSize, ` fill="`+inkColor+`"`, []string{name})
		x += iw + sep
	}
	return cy + rowH/2 + 6
}
