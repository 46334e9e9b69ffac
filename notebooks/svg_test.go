package notebooks

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/query"
)

// svgEl is one element of a parsed chart: its class and attributes, its text (the
// character data of its <tspan>s, joined) and the text of its <title> child.
type svgEl struct {
	name  string
	attr  map[string]string
	text  string
	title string
}

func (e *svgEl) f(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(e.attr[name], 64)
	if err != nil {
		t.Fatalf("<%s class=%q> %s=%q: %v", e.name, e.attr["class"], name, e.attr[name], err)
	}
	return v
}

// parseSVG parses a chart as XML, failing the test if it is not well-formed, and
// returns its root and its elements in document order.
func parseSVG(t *testing.T, b []byte) (root *svgEl, els []*svgEl) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []*svgEl
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%.3000s", err, b)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &svgEl{name: tok.Name.Local, attr: map[string]string{}}
			for _, a := range tok.Attr {
				e.attr[a.Name.Local] = a.Value
			}
			if root == nil {
				if tok.Name.Space != "http://www.w3.org/2000/svg" || e.name != "svg" {
					t.Fatalf("the chart's root is <%s xmlns=%q>", e.name, tok.Name.Space)
				}
				root = e
			}
			stack = append(stack, e)
			els = append(els, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 {
				continue
			}
			top := stack[len(stack)-1]
			switch {
			case top.name == "title" && len(stack) > 1:
				stack[len(stack)-2].title += string(tok)
			case top.name == "tspan" && len(stack) > 1:
				stack[len(stack)-2].text += string(tok)
			default:
				top.text += string(tok)
			}
		}
	}
	if root == nil {
		t.Fatal("empty chart")
	}
	return root, els
}

func byClass(els []*svgEl, class string) []*svgEl {
	var out []*svgEl
	for _, e := range els {
		if e.attr["class"] == class {
			out = append(out, e)
		}
	}
	return out
}

func texts(els []*svgEl, class string) []string {
	var out []string
	for _, e := range byClass(els, class) {
		out = append(out, e.text)
	}
	return out
}

// yScale returns the chart's value-to-pixel map read back from its y axis: each grid
// line's y and the number its tick label says.
func yScale(t *testing.T, els []*svgEl) func(float64) float64 {
	t.Helper()
	grid, labels := byClass(els, "grid"), byClass(els, "ytick")
	if len(grid) < 2 || len(grid) != len(labels) {
		t.Fatalf("%d grid lines, %d y tick labels", len(grid), len(labels))
	}
	val := func(i int) float64 {
		v, err := strconv.ParseFloat(strings.ReplaceAll(labels[i].text, ",", ""), 64)
		if err != nil {
			t.Fatalf("y tick label %q: %v", labels[i].text, err)
		}
		return v
	}
	v0, y0 := val(0), grid[0].f(t, "y1")
	v1, y1 := val(len(grid)-1), grid[len(grid)-1].f(t, "y1")
	if !(v1 > v0 && y1 < y0) {
		t.Fatalf("y ticks %v at %v, %v at %v: not upwards", v0, y0, v1, y1)
	}
	at := func(v float64) float64 { return y0 + (v-v0)/(v1-v0)*(y1-y0) }
	for i := range grid {
		if y := grid[i].f(t, "y1"); math.Abs(y-at(val(i))) > 0.2 {
			t.Errorf("y tick %s at %.1f, the scale says %.1f", labels[i].text, y, at(val(i)))
		}
	}
	return at
}

func near(a, b float64) bool { return math.Abs(a-b) <= 0.2 }

func result(cols, types []string, rows ...[]any) *query.Result {
	res := &query.Result{Columns: cols, Types: types}
	for _, r := range rows {
		var row []query.Value
		for _, v := range r {
			switch v := v.(type) {
			case nil:
				row = append(row, query.Value{Kind: query.KindNull})
			case string:
				row = append(row, query.Value{Text: v, Kind: query.KindText})
			case int:
				row = append(row, query.Value{Text: strconv.Itoa(v), Kind: query.KindNumber})
			case float64:
				row = append(row, query.Value{Text: strconv.FormatFloat(v, 'g', -1, 64), Kind: query.KindNumber})
			}
		}
		res.Rows = append(res.Rows, row)
	}
	res.Total = int64(len(res.Rows))
	return res
}

func draw(t *testing.T, spec string, res *query.Result) []byte {
	t.Helper()
	s, err := ParseChart(spec)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Draw(res)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A bar chart: one bar per row in row order, its height the row's value on the
// chart's own y axis, the Chinese bank names as text under the bars, values above.
func TestBarChartSVG(t *testing.T) {
	banks := []string{"广发银行", "华夏银行", `A&B <Bank> "x"`, "中国邮政储蓄银行", "山东省农村信用社联合社"}
	vals := []float64{30, 21, 5, 12.5, 0}
	res := result([]string{"bank", "refused"}, []string{"VARCHAR", "BIGINT"})
	for i := range banks {
		res.Rows = append(res.Rows, result(nil, nil, []any{banks[i], vals[i]}).Rows[0])
	}
	b := draw(t, "type: bar\nx: bank\ny: refused\ntitle: Refused <bindings> & more\nylabel: bindings refused\nsource: 模拟事件", res)
	root, els := parseSVG(t, b)
	if root.attr["role"] != "img" || !strings.Contains(root.attr["font-family"], "'WenQuanYi Micro Hei'") || !strings.HasSuffix(root.attr["font-family"], "sans-serif") {
		t.Errorf("svg attributes: %v", root.attr)
	}
	if root.title != "Refused <bindings> & more (bar chart of refused by bank)" {
		t.Errorf("the chart's accessible name is %q", root.title)
	}
	if got := texts(els, "title"); len(got) != 1 || got[0] != "Refused <bindings> & more" {
		t.Errorf("title texts %q", got)
	}
	if got := texts(els, "ylabel"); len(got) != 1 || got[0] != "bindings refused" {
		t.Errorf("ylabel texts %q", got)
	}
	if got := texts(els, "source"); len(got) != 1 || got[0] != "模拟事件" {
		t.Errorf("source texts %q", got)
	}
	if got := texts(els, "xlabel"); got != nil {
		t.Errorf("an x label %q, though the categories say it", got)
	}
	if got := strings.Join(texts(els, "ytick"), " "); got != "0 10 20 30" {
		t.Errorf("y ticks %s, want 0 10 20 30", got)
	}
	at := yScale(t, els)
	bars, names, values := byClass(els, "bar"), byClass(els, "category"), byClass(els, "value")
	if len(bars) != len(banks) || len(names) != len(banks) || len(values) != len(banks) {
		t.Fatalf("%d bars, %d names, %d value labels for %d rows", len(bars), len(names), len(values), len(banks))
	}
	for i, bar := range bars {
		x, y, w, h := bar.f(t, "x"), bar.f(t, "y"), bar.f(t, "width"), bar.f(t, "height")
		if !near(y, at(vals[i])) || !near(y+h, at(0)) {
			t.Errorf("bar %d spans y %.1f to %.1f, want %.1f (%g) to %.1f (0)", i, y, y+h, at(vals[i]), vals[i], at(0))
		}
		if want := banks[i] + ": " + locale.Number(vals[i]); bar.title != want {
			t.Errorf("bar %d tooltip %q, want %q", i, bar.title, want)
		}
		if names[i].text != banks[i] {
			t.Errorf("category %d reads %q, want %q", i, names[i].text, banks[i])
		}
		if values[i].text != locale.Number(vals[i]) {
			t.Errorf("value label %d reads %q, want %s", i, values[i].text, locale.Number(vals[i]))
		}
		for _, e := range []*svgEl{names[i], values[i]} {
			if cx := e.f(t, "x"); !near(cx, x+w/2) {
				t.Errorf("%s %q at x %.1f, its bar's middle at %.1f", e.attr["class"], e.text, cx, x+w/2)
			}
		}
		if i > 0 && x <= bars[i-1].f(t, "x") {
			t.Errorf("bar %d is not right of bar %d", i, i-1)
		}
	}
	if bytes.Contains(b, []byte("<Bank>")) || bytes.Contains(b, []byte("<bindings>")) {
		t.Error("a label is not escaped")
	}
}

// A line chart over time: one point per row with a value, drawn left to right
// whatever the rows' order, on the chart's y axis and under its time ticks; the
// reference line at its value.
func TestLineChartSVG(t *testing.T) {
	res := result([]string{"minute", "claims", "missed", "peak"}, []string{"TIMESTAMP", "BIGINT", "BIGINT", "BIGINT"},
		[]any{"2014-01-31 00:01:00", 41, 3, 60},
		[]any{"2014-01-30 23:58:00", 34, 1, 60},
		[]any{"2014-01-31 00:00:00", 50, nil, 60},
		[]any{"2014-01-30 23:59:00", 39, 2, 60},
		[]any{"2014-01-31 00:02:00", 36, 0, 60},
		[]any{nil, 99, 99, 60},
	)
	b := draw(t, "type: line\nx: minute\ny: claims, missed\ntitle: Per minute\nxlabel: Beijing time\nref: peak reported peak", res)
	_, els := parseSVG(t, b)
	at := yScale(t, els)

	minute := func(m int) float64 { return float64(time.Date(2014, 1, 31, 0, m, 0, 0, locale.Zone).Unix()) }
	want := map[string][][2]float64{
		"claims": {{minute(-2), 34}, {minute(-1), 39}, {minute(0), 50}, {minute(1), 41}, {minute(2), 36}},
		"missed": {{minute(-2), 1}, {minute(-1), 2}, {minute(1), 3}, {minute(2), 0}},
	}
	lines := byClass(els, "series")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2", len(lines))
	}
	// The x axis read back from the labelled ticks: "00:00" and "00:02" at their times.
	xAt := map[string]float64{}
	for _, e := range byClass(els, "xtick-label") {
		xAt[e.text] = e.f(t, "x")
	}
	x0, ok0 := xAt["00:0001-31"] // the date's second line joins the time
	x2, ok2 := xAt["00:02"]
	if !ok0 || !ok2 {
		t.Fatalf("x tick labels %v lack 00:00 (with the date) and 00:02", xAt)
	}
	xOf := func(sec float64) float64 { return x0 + (sec-minute(0))/(minute(2)-minute(0))*(x2-x0) }
	for _, l := range lines {
		pts := strings.Fields(l.attr["points"])
		w := want[l.title]
		if len(pts) != len(w) {
			t.Errorf("line %q has %d points, want %d (one per row with a time and a value)", l.title, len(pts), len(w))
			continue
		}
		for i, p := range pts {
			xs, ys, _ := strings.Cut(p, ",")
			x, _ := strconv.ParseFloat(xs, 64)
			y, _ := strconv.ParseFloat(ys, 64)
			if !near(x, xOf(w[i][0])) || !near(y, at(w[i][1])) {
				t.Errorf("line %q point %d at %.1f,%.1f, want %.1f,%.1f (%g)", l.title, i, x, y, xOf(w[i][0]), at(w[i][1]), w[i][1])
			}
		}
	}
	if got := strings.Join(texts(els, "legend"), ","); got != "claims,missed" {
		t.Errorf("legend %q", got)
	}
	refs := byClass(els, "ref")
	if len(refs) != 1 || !near(refs[0].f(t, "y1"), at(60)) {
		t.Errorf("reference lines %v, want one at %.1f", refs, at(60))
	}
	if got := texts(els, "ref-label"); len(got) != 1 || got[0] != "reported peak" {
		t.Errorf("reference labels %q", got)
	}
	if got := texts(els, "xlabel"); len(got) != 1 || got[0] != "Beijing time" {
		t.Errorf("x label %q", got)
	}
}

// Labels come from query results: whatever they hold, the chart stays well-formed
// XML with the label as text, and too many names slant rather than overlap.
func TestChartSVGHostileLabels(t *testing.T) {
	hostile := []string{"</svg><script>alert(1)</script>", "nul\x00 esc\x1b bad\xff utf8", strings.Repeat("长名字", 100), "]]>&amp;", ""}
	res := result([]string{"k", "v"}, []string{"VARCHAR", "DOUBLE"})
	for i := range maxBars {
		name := "category number " + strconv.Itoa(i)
		if i < len(hostile) {
			name = hostile[i]
		}
		res.Rows = append(res.Rows, result(nil, nil, []any{name, float64(i) - 3.5}).Rows[0])
	}
	b := draw(t, "type: bar\nx: k\ny: v", res)
	_, els := parseSVG(t, b)
	if bytes.Contains(b, []byte("<script")) {
		t.Error("a label became markup")
	}
	names := byClass(els, "category")
	if len(byClass(els, "bar")) != maxBars || len(names) != maxBars-1 { // the empty name draws no text
		t.Fatalf("%d bars, %d names", len(byClass(els, "bar")), len(names))
	}
	if names[0].text != hostile[0] || names[1].text != "nul\uFFFD esc\uFFFD bad\uFFFD utf8" || names[3].text != hostile[3] {
		t.Errorf("names read %q, %q, %q", names[0].text, names[1].text, names[3].text)
	}
	for _, n := range names {
		if !strings.HasPrefix(n.attr["transform"], "rotate(-45 ") {
			t.Fatalf("name %q is not slanted: %v", n.text, n.attr)
		}
		// Slanted up to the left from under its bar, a name must not leave the chart.
		if w := textWidth(n.text, n.f(t, "font-size")) / math.Sqrt2; n.f(t, "x")-w < 0 {
			t.Errorf("name %q reaches %.0f px left of the chart", n.text, w-n.f(t, "x"))
		}
	}
	if long := names[2].text; !strings.HasSuffix(long, "…") || len([]rune(long)) > maxLabelRune {
		t.Errorf("the long name was not cut: %d runes", len([]rune(long)))
	}
	// The page puts the chart in as it is: still no script.
	var page bytes.Buffer
	cell := &Cell{Name: "c", Index: 1, SQL: "SELECT k, v"}
	nb := &Notebook{Name: "x", Title: "x", Blocks: []Block{{Cell: cell}}}
	cr := &CellRun{Cell: cell, Result: res, Chart: b, Show: 5}
	if err := WriteHTML(&page, &Run{Notebook: nb, Cells: []*CellRun{cr}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(page.String(), "<script") || !strings.Contains(page.String(), `<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("the page's chart:\n%s", page.String())
	}
}

// Data that cannot be drawn is a chart error, never a panic or an endless loop.
func TestChartSVGEdges(t *testing.T) {
	one := draw(t, "type: line\nx: n\ny: v", result([]string{"n", "v"}, []string{"BIGINT", "BIGINT"}, []any{7, 3}))
	_, els := parseSVG(t, one)
	if pts := byClass(els, "point"); len(pts) != 1 {
		t.Errorf("a line of one point draws %d dots", len(pts))
	}
	for name, c := range map[string]struct {
		spec string
		res  *query.Result
		want string
	}{
		"huge": {"type: bar\nx: k\ny: v", result([]string{"k", "v"}, []string{"VARCHAR", "DOUBLE"}, []any{"a", 1e308}, []any{"b", -1e308}),
			"too far apart to draw"},
		"sum overflows": {"type: bar\nx: k\ny: v", result([]string{"k", "v"}, []string{"VARCHAR", "DOUBLE"}, []any{"a", 1.5e308}, []any{"a", 1.5e308}),
			"too far apart to draw"},
		"x all null": {"type: line\nx: n\ny: v", result([]string{"n", "v"}, []string{"BIGINT", "BIGINT"}, []any{nil, 3}),
			"every value of n is NULL"},
		"many series": {"type: line\nx: n\ny: v\nseries: s", func() *query.Result {
			r := result([]string{"n", "v", "s"}, []string{"BIGINT", "BIGINT", "VARCHAR"})
			for i := range maxSeries + 1 {
				r.Rows = append(r.Rows, result(nil, nil, []any{i, i, strconv.Itoa(i)}).Rows[0])
			}
			return r
		}(), "13 values of s are too many lines or bar groups"},
	} {
		s, err := ParseChart(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Draw(c.res); !errors.Is(err, ErrChart) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", name, err, c.want)
		}
	}
}

// fuzzResults are the results a fuzzed chart is drawn on: categories and numbers
// with a series, and instants with numbers, built from the fuzzer's values.
func fuzzResults(cat string, y1, y2 float64, ts string) []*query.Result {
	num := func(v float64) any {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil // the driver gives only finite numbers; NULL stands in
		}
		return v
	}
	return []*query.Result{
		result([]string{"x", "y", "s"}, []string{"VARCHAR", "DOUBLE", "VARCHAR"},
			[]any{cat, num(y1), "a"}, []any{"b", num(y2), cat}, []any{cat, 3, "a"}),
		result([]string{"x", "y", "s"}, []string{"TIMESTAMP WITH TIME ZONE", "BIGINT", "VARCHAR"},
			[]any{ts, num(y1), "a"}, []any{"2014-01-31 00:00:00", num(y2), "b"}),
		result([]string{"x", "y", "s"}, []string{"DOUBLE", "DOUBLE", "VARCHAR"},
			[]any{num(y2), num(y1), cat}, []any{strconv.Itoa(len(cat)), num(y2), "b"}),
	}
}

// FuzzChart: whatever a ```chart block says and whatever the cell's rows hold, drawing
// it returns an error or a well-formed SVG (parseSVG); it never panics.
func FuzzChart(f *testing.F) {
	f.Add("type: bar\nx: x\ny: y\ntitle: 银行", "广发银行", 30.0, 21.0, "2014-01-30 23:59:00")
	f.Add("type: line\nx: x\ny: y\nseries: s\nref: 25000 reported peak", "b", 1.0, 1.0, "2014-01-31 00:01:00")
	f.Add("type: line\nx: x\ny: y, y\nref: y first", "", -1e300, 1e300, "not a time")
	f.Add("type: bar\nx: x\ny: y\nseries: s\nxlabel: <&>\nsource: \"x\"", "A&B <Bank>", 0.0, 0.0, "")
	f.Fuzz(func(t *testing.T, spec, cat string, y1, y2 float64, ts string) {
		s, err := ParseChart(spec)
		if err != nil {
			return
		}
		for _, res := range fuzzResults(cat, y1, y2, ts) {
			if b, err := s.Draw(res); err == nil {
				parseSVG(t, b)
			}
		}
	})
}
