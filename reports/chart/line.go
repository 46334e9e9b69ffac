package chart

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/reports/fonts"
)

// Line is a line chart of one or more series over a time or numeric axis.
type Line struct {
	Title  string
	XLabel string // with unit, e.g. "北京时间" or "banks supported"
	YLabel string // with unit, e.g. "每分钟领取次数（次）"; drawn above the plot
	Source string // drawn under the chart, e.g. "来源：模拟事件，hongbao 0.1"

	Series []Series
	Refs   []RefLine
	Notes  []Note

	// Format formats y tick labels; nil means locale.Number.
	Format func(float64) string
}

var _ Chart = (*Line)(nil)

func (l *Line) encode(out encoding, fam fonts.Family, width, height vg.Length) ([]byte, error) {
	isTime, err := l.validate()
	if err != nil {
		return nil, fmt.Errorf("line chart %q: %w", l.Title, err)
	}
	format := numberFormat(l.Format)
	var extra []string
	var legend []legendItem
	named := len(l.Series) > 1 || l.Series[0].Name != ""
	for i, s := range l.Series {
		extra = append(extra, s.Name)
		if named {
			legend = append(legend, legendItem{name: s.Name, color: paletteColor(s.Color, i)})
		}
	}
	for _, r := range l.Refs {
		extra = append(extra, r.Label)
	}
	for _, n := range l.Notes {
		extra = append(extra, n.Label)
	}
	fr := frame{Title: l.Title, XLabel: l.XLabel, YLabel: l.YLabel, Source: l.Source}
	return render(out, fam, width, height, fr, extra, legend, func(s styles, area draw.Canvas) (*plot.Plot, error) {
		p := s.newPlot(l.XLabel)
		ylo, yhi := math.Inf(1), math.Inf(-1)
		an := annotations{refs: l.Refs, notes: l.Notes, time: isTime,
			refSty: s.text(noteSize, false, refRed), noteSty: s.text(noteSize, false, ink)}
		for i, ser := range l.Series {
			xys := make(plotter.XYs, len(ser.Y))
			for j, y := range ser.Y {
				xys[j].Y = y
				if isTime {
					xys[j].X = float64(ser.T[j].Unix())
				} else {
					xys[j].X = ser.X[j]
				}
				ylo, yhi = math.Min(ylo, y), math.Max(yhi, y)
			}
			line, err := plotter.NewLine(xys)
			if err != nil {
				return nil, fmt.Errorf("line chart %q, series %q: %w", l.Title, ser.Name, err)
			}
			line.LineStyle = draw.LineStyle{Color: paletteColor(ser.Color, i), Width: vg.Points(1.4)}
			p.Add(line)
			an.lines = append(an.lines, xys)
		}
		for _, r := range l.Refs {
			ylo, yhi = math.Min(ylo, r.Y), math.Max(yhi, r.Y)
		}
		for _, n := range l.Notes {
			ylo, yhi = math.Min(ylo, n.Y), math.Max(yhi, n.Y)
		}
		yRange(p, ylo, yhi, 0.12)
		p.Y.Tick.Marker = numberTicks{format: format, target: 5}
		p.Add(an)
		if isTime {
			// Fit the number of labelled ticks to the data width measured
			// with provisional ticks; two label widths apart never overlap.
			p.X.Tick.Marker = timeTicks{loc: locale.Zone, maxMajor: 6}
			dataWidth := p.DataCanvas(area).Max.X - p.DataCanvas(area).Min.X
			labelW := p.X.Tick.Label.Width("00:00")
			p.X.Tick.Marker = timeTicks{loc: locale.Zone, maxMajor: int(dataWidth / (2 * labelW))}
		} else {
			p.X.Tick.Marker = numberTicks{format: locale.Number, target: 6}
			dc := p.DataCanvas(area)
			lo, hi := p.X.Min, p.X.Max
			labelW := max(p.X.Tick.Label.Width(locale.Number(lo)), p.X.Tick.Label.Width(locale.Number(hi)))
			p.X.Tick.Marker = numberTicks{format: locale.Number, target: min(8, int((dc.Max.X-dc.Min.X)/(2*labelW)))}
		}
		return p, nil
	})
}

// validate reports whether the chart is over time, or why it cannot be drawn.
func (l *Line) validate() (isTime bool, err error) {
	if len(l.Series) == 0 {
		return false, ErrNoData
	}
	isTime = l.Series[0].T != nil
	for _, s := range l.Series {
		n := len(s.X)
		if s.T != nil {
			n = len(s.T)
		}
		switch {
		case (s.T != nil) != isTime:
			return false, fmt.Errorf("%w: series %q mixes a time axis with a numeric one", ErrShape, s.Name)
		case s.T != nil && s.X != nil:
			return false, fmt.Errorf("%w: series %q sets both X and T", ErrShape, s.Name)
		case len(s.Y) == 0:
			return false, fmt.Errorf("%w: series %q", ErrNoData, s.Name)
		case n != len(s.Y):
			return false, fmt.Errorf("%w: series %q has %d x values and %d y values", ErrShape, s.Name, n, len(s.Y))
		}
		if err := finite(s.Y...); err != nil {
			return false, fmt.Errorf("series %q: %w", s.Name, err)
		}
	}
	for _, n := range l.Notes {
		if n.T.IsZero() == isTime {
			return false, fmt.Errorf("%w: note %q must set T on a time axis and X otherwise", ErrShape, n.Label)
		}
		if err := finite(n.X, n.Y); err != nil {
			return false, fmt.Errorf("note %q: %w", n.Label, err)
		}
	}
	for _, r := range l.Refs {
		if err := finite(r.Y); err != nil {
			return false, fmt.Errorf("reference line %q: %w", r.Label, err)
		}
	}
	return isTime, nil
}
