package notebooks

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/query"
	"github.com/hongbao/hongbao/reports/chart"
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

// maxSeries bounds the lines or bar groups of a chart: beyond it the colours and the
// legend cannot be told apart.
const maxSeries = 12

// Draw renders the chart of res as an SVG element for the notebook page. Its texts are
// <text> elements the browser draws with its own fonts (Chinese ones included), so no
// font is read here and none can be missing. A result with no rows draws nothing and
// returns nil, nil: there is nothing to chart, which is not an error.
func (s *ChartSpec) Draw(res *query.Result) ([]byte, error) {
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
	xlabel, ylabel := s.XLabel, s.YLabel
	if xlabel == "" {
		xlabel = s.X
	}
	if ylabel == "" && len(s.Y) == 1 {
		ylabel = s.Y[0]
	}
	var f *figure
	if s.Type == "line" {
		f, err = s.line(res, xi, yi, si)
	} else {
		f, err = s.bar(res, xi, yi, si)
	}
	if err != nil {
		return nil, err
	}
	f.title, f.xlabel, f.ylabel, f.source, f.refs = s.Title, xlabel, ylabel, s.Source, refs
	f.alt = strings.TrimSpace(s.Title + " (" + s.Type + " chart of " + strings.Join(s.Y, ", ") + " by " + s.X + ")")
	if f.bar && xlabel == s.X {
		f.xlabel = "" // the categories say it
	}
	return f.svg()
}

// group is one line or bar group being collected.
type group struct {
	name string
	x    []float64 // line: numbers, or times as Unix seconds
	y    []float64
	byX  map[string]float64 // bar values by category
}

// groups splits the rows into one group per y column, or per value of the series column.
func (s *ChartSpec) groups(res *query.Result, yi []int, si int, add func(g *group, row []query.Value, y float64) error) ([]*group, error) {
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
			if row[ci].Kind == query.KindNull {
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
				if row[si].Kind == query.KindNull {
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
	if len(out) > maxSeries {
		return nil, fmt.Errorf("%w: %d values of %s are too many lines or bar groups to tell apart; keep it to %d", ErrChart, len(out), s.Series, maxSeries)
	}
	return out, nil
}

func (s *ChartSpec) line(res *query.Result, xi int, yi []int, si int) (*figure, error) {
	isTime := isTimeType(res.Types[xi])
	groups, err := s.groups(res, yi, si, func(g *group, row []query.Value, y float64) error {
		xv := row[xi]
		if xv.Kind == query.KindNull {
			return nil
		}
		if isTime {
			t, err := parseTime(xv.Text)
			if err != nil {
				return fmt.Errorf("%w: x column %s: %v", ErrChart, s.X, err)
			}
			g.x = append(g.x, float64(t.Unix()))
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
	f := &figure{isTime: isTime}
	for _, g := range groups {
		if len(g.x) == 0 {
			continue // every x of this line is NULL
		}
		// Rows in any order draw one line from left to right, not a scribble.
		idx := make([]int, len(g.x))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return cmpFloat(g.x[a], g.x[b]) })
		ser := figSeries{name: g.name, x: make([]float64, len(idx)), y: make([]float64, len(idx))}
		for i, j := range idx {
			ser.x[i], ser.y[i] = g.x[j], g.y[j]
		}
		f.series = append(f.series, ser)
	}
	if len(f.series) == 0 {
		return nil, fmt.Errorf("%w: every value of %s is NULL", ErrChart, s.X)
	}
	return f, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *ChartSpec) bar(res *query.Result, xi int, yi []int, si int) (*figure, error) {
	var cats []string
	seen := map[string]bool{}
	groups, err := s.groups(res, yi, si, func(g *group, row []query.Value, y float64) error {
		cat := row[xi].Text
		if row[xi].Kind == query.KindNull {
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
	f := &figure{bar: true, categories: cats, valueLabels: len(groups) == 1 && len(cats) <= 12}
	for _, g := range groups {
		vals := make([]float64, len(cats))
		for i, c := range cats {
			vals[i] = g.byX[c]
		}
		f.series = append(f.series, figSeries{name: g.name, y: vals})
	}
	return f, nil
}

func isTimeType(t string) bool {
	return strings.HasPrefix(t, "TIMESTAMP") || t == "DATE"
}

// parseTime reads a time as transform prints it: TIMESTAMPTZ already in Beijing time,
// and a naive TIMESTAMP such as claims_per_minute.minute, which holds Beijing wall-clock
// time too; the chart draws both in Asia/Shanghai.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, locale.Zone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time", s)
}

func number(v query.Value, column string) (float64, error) {
	if v.Kind != query.KindNumber {
		return 0, fmt.Errorf("%w: column %s holds %q, not a number", ErrChart, column, v.Text)
	}
	f, err := strconv.ParseFloat(v.Text, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("%w: column %s holds %q, not a finite number", ErrChart, column, v.Text)
	}
	return f, nil
}
