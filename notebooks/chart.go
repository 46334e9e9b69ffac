package notebooks

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/reports/chart"
	"github.com/hongbao/hongbao/reports/fonts"
	"github.com/hongbao/hongbao/transform"
)

// ChartSpec is a ```chart block: which columns of the cell's result to draw, and how.
// One "key: value" a line; blank lines and lines starting with # are skipped:
//
//	type: line                 line (x: times or numbers) or bar (x: categories)
//	x: minute                  the column along the x axis
//	y: claims, attempts        one or more numeric columns, one line or bar group each
//	series: provider           optional: one line or bar group per value of this column (one y only)
//	title: Claims per minute   optional, as are xlabel, ylabel and source
//	ref: 25000 reported peak   optional, repeatable: a horizontal line at a number, or at
//	                           the value of a column in the first row (ref: reported_peak label)
type ChartSpec struct {
	Type   string // "line" or "bar"
	X      string
	Y      []string
	Series string
	Title  string
	XLabel string
	YLabel string
	Source string
	Refs   []RefSpec

	errLine int // line within the block of a parse error
}

// RefSpec is a horizontal reference line: at Value, or at the value of Column in the
// first row of the result when Column is set.
type RefSpec struct {
	Value  float64
	Column string
	Label  string
}

// maxBars bounds a bar chart's categories: beyond it the labels cannot be read.
const maxBars = 40

// ParseChart reads the text of a ```chart block.
func ParseChart(text string) (*ChartSpec, error) {
	s := &ChartSpec{}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		s.errLine = i + 1
		k, v, ok := strings.Cut(line, ":")
		k, v = strings.TrimSpace(strings.ToLower(k)), strings.TrimSpace(v)
		if !ok || v == "" {
			return s, fmt.Errorf("chart: %q is not 'key: value'", line)
		}
		switch k {
		case "type":
			if v != "line" && v != "bar" {
				return s, fmt.Errorf("chart: type %q: use line or bar", v)
			}
			s.Type = v
		case "x":
			s.X = v
		case "y":
			for _, c := range strings.Split(v, ",") {
				if c = strings.TrimSpace(c); c != "" {
					s.Y = append(s.Y, c)
				}
			}
		case "series":
			s.Series = v
		case "title":
			s.Title = v
		case "xlabel":
			s.XLabel = v
		case "ylabel":
			s.YLabel = v
		case "source":
			s.Source = v
		case "ref":
			at, label, _ := strings.Cut(v, " ")
			r := RefSpec{Label: strings.TrimSpace(label)}
			if f, err := strconv.ParseFloat(at, 64); err == nil {
				r.Value = f
			} else {
				r.Column = at
			}
			s.Refs = append(s.Refs, r)
		default:
			return s, fmt.Errorf("chart: unknown key %q: use type, x, y, series, title, xlabel, ylabel, source or ref", k)
		}
	}
	s.errLine = 0
	switch {
	case s.Type == "":
		return s, fmt.Errorf("chart: say type: line or type: bar")
	case s.X == "" || len(s.Y) == 0:
		return s, fmt.Errorf("chart: name the columns to draw with x: and y:")
	case s.Series != "" && len(s.Y) > 1:
		return s, fmt.Errorf("chart: with series: give one y column, not %d", len(s.Y))
	}
	return s, nil
}

// Chart sizes: 16 × 9 cm at the reports' 200 dpi, shown at most 760 px wide.
var (
	chartWidth  = 16 * vg.Centimeter
	chartHeight = 9 * vg.Centimeter
)

var (
	fontOnce sync.Once
	fontFam  fonts.Family
	fontErr  error
)

// chartFonts finds a font that draws Chinese, or else the bundled Latin one: a chart
// with Chinese text then fails with the missing glyphs named.
func chartFonts() (fonts.Family, error) {
	fontOnce.Do(func() {
		fontFam, fontErr = fonts.Chinese("")
		if fontErr != nil {
			fontFam, fontErr = fonts.Latin()
		}
	})
	return fontFam, fontErr
}

// Draw renders the chart of res as PNG. A result with no rows draws nothing and
// returns nil, nil: there is nothing to chart, which is not an error.
func (s *ChartSpec) Draw(res *transform.Result) ([]byte, error) {
	if len(res.Rows) == 0 {
		return nil, nil
	}
	col := func(name string) (int, error) {
		for i, c := range res.Columns {
			if c == name {
				return i, nil
			}
		}
		return 0, fmt.Errorf("%w: the result has no column %q (it has %s)", ErrChart, name, strings.Join(res.Columns, ", "))
	}
	xi, err := col(s.X)
	if err != nil {
		return nil, err
	}
	yi := make([]int, len(s.Y))
	for i, y := range s.Y {
		if yi[i], err = col(y); err != nil {
			return nil, err
		}
	}
	si := -1
	if s.Series != "" {
		if si, err = col(s.Series); err != nil {
			return nil, err
		}
	}
	var refs []chart.RefLine
	for _, r := range s.Refs {
		v := r.Value
		if r.Column != "" {
			ci, err := col(r.Column)
			if err != nil {
				return nil, err
			}
			if v, err = number(res.Rows[0][ci], r.Column); err != nil {
				return nil, err
			}
		}
		refs = append(refs, chart.RefLine{Y: v, Label: r.Label})
	}
	fam, err := chartFonts()
	if err != nil {
		return nil, fmt.Errorf("%w: no font: %v", ErrChart, err)
	}
	xlabel, ylabel := s.XLabel, s.YLabel
	if xlabel == "" {
		xlabel = s.X
	}
	if ylabel == "" && len(s.Y) == 1 {
		ylabel = s.Y[0]
	}
	var c chart.Chart
	if s.Type == "line" {
		c, err = s.line(res, xi, yi, si, refs, xlabel, ylabel)
	} else {
		c, err = s.bar(res, xi, yi, si, refs, xlabel, ylabel)
	}
	if err != nil {
		return nil, err
	}
	png, err := c.PNG(fam, chartWidth, chartHeight)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrChart, err)
	}
	return png, nil
}

// group is one line or bar group being collected.
type group struct {
	name string
	x    []float64
	t    []time.Time
	y    []float64
	byX  map[string]float64 // bar values by category
}

// groups splits the rows into one group per y column, or per value of the series column.
func (s *ChartSpec) groups(res *transform.Result, yi []int, si int, add func(g *group, row []transform.Value, y float64) error) ([]*group, error) {
	var out []*group
	index := map[string]*group{}
	get := func(name string) *group {
		g := index[name]
		if g == nil {
			g = &group{name: name, byX: map[string]float64{}}
			index[name] = g
			out = append(out, g)
		}
		return g
	}
	for _, row := range res.Rows {
		for k, ci := range yi {
			if row[ci].Kind == transform.KindNull {
				continue // a gap, not a zero
			}
			y, err := number(row[ci], res.Columns[ci])
			if err != nil {
				return nil, err
			}
			name := ""
			switch {
			case si >= 0:
				name = row[si].Text
				if row[si].Kind == transform.KindNull {
					name = "NULL"
				}
			case len(yi) > 1:
				name = s.Y[k]
			}
			if err := add(get(name), row, y); err != nil {
				return nil, err
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: every value of %s is NULL", ErrChart, strings.Join(s.Y, ", "))
	}
	return out, nil
}

func (s *ChartSpec) line(res *transform.Result, xi int, yi []int, si int, refs []chart.RefLine, xlabel, ylabel string) (chart.Chart, error) {
	isTime := isTimeType(res.Types[xi])
	groups, err := s.groups(res, yi, si, func(g *group, row []transform.Value, y float64) error {
		xv := row[xi]
		if xv.Kind == transform.KindNull {
			return nil
		}
		if isTime {
			t, err := parseTime(xv.Text)
			if err != nil {
				return fmt.Errorf("%w: x column %s: %v", ErrChart, s.X, err)
			}
			g.t = append(g.t, t)
		} else {
			x, err := number(xv, s.X)
			if err != nil {
				return fmt.Errorf("%w (a line chart needs times or numbers on x; type: bar draws categories)", err)
			}
			g.x = append(g.x, x)
		}
		g.y = append(g.y, y)
		return nil
	})
	if err != nil {
		return nil, err
	}
	l := &chart.Line{Title: s.Title, XLabel: xlabel, YLabel: ylabel, Source: s.Source, Refs: refs}
	for _, g := range groups {
		l.Series = append(l.Series, chart.Series{Name: g.name, X: g.x, T: g.t, Y: g.y})
	}
	return l, nil
}

func (s *ChartSpec) bar(res *transform.Result, xi int, yi []int, si int, refs []chart.RefLine, xlabel, ylabel string) (chart.Chart, error) {
	var cats []string
	seen := map[string]bool{}
	groups, err := s.groups(res, yi, si, func(g *group, row []transform.Value, y float64) error {
		cat := row[xi].Text
		if row[xi].Kind == transform.KindNull {
			cat = "NULL"
		}
		if !seen[cat] {
			seen[cat] = true
			cats = append(cats, cat)
		}
		g.byX[cat] += y
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(cats) > maxBars {
		return nil, fmt.Errorf("%w: %d categories are too many bars to read; keep it to %d (ORDER BY ... LIMIT %d)", ErrChart, len(cats), maxBars, maxBars)
	}
	b := &chart.Bar{Title: s.Title, XLabel: xlabel, YLabel: ylabel, Source: s.Source, Categories: cats, Refs: refs,
		ValueLabels: len(groups) == 1 && len(cats) <= 12}
	if xlabel == s.X {
		b.XLabel = "" // the categories say it
	}
	for _, g := range groups {
		vals := make([]float64, len(cats))
		for i, c := range cats {
			vals[i] = g.byX[c]
		}
		b.Groups = append(b.Groups, chart.BarGroup{Name: g.name, Values: vals})
	}
	return b, nil
}

func isTimeType(t string) bool {
	return strings.HasPrefix(t, "TIMESTAMP") || t == "DATE"
}

// parseTime reads a time as transform prints it: TIMESTAMPTZ already in Beijing time,
// and a naive TIMESTAMP such as claims_per_minute.minute, which holds Beijing wall-clock
// time too; the chart draws both in Asia/Shanghai.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, chart.Shanghai); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

func number(v transform.Value, column string) (float64, error) {
	if v.Kind != transform.KindNumber {
		return 0, fmt.Errorf("%w: column %s holds %q, not a number", ErrChart, column, v.Text)
	}
	f, err := strconv.ParseFloat(v.Text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%w: column %s holds %q, not a finite number", ErrChart, column, v.Text)
	}
	return f, nil
}
