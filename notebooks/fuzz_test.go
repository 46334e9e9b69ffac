package notebooks

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"strconv"
	"testing"

	"github.com/hongbao/hongbao/query"
)

// wellFormed fails the test when b is not well-formed XML.
func wellFormed(t *testing.T, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v\n%s", err, b)
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
// it returns an error or a well-formed SVG; it never panics.
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
				wellFormed(t, b)
			}
		}
	})
}

// FuzzParse: a user's notebook of any bytes parses or fails with an error; its charts
// then draw or fail with an error. Nothing panics.
func FuzzParse(f *testing.F) {
	for _, name := range Shipped() {
		src, err := Source(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	f.Add([]byte("# t\n\n```sql name=a rows=-1\nSELECT 1\n```\n```chart\ntype: bar\nx: x\ny: y\n```\n"))
	f.Add([]byte("- ```sql\n  SELECT 1\n  ```\n\n```sql rows=99999999999999999999\n```"))
	f.Fuzz(func(t *testing.T, src []byte) {
		nb, err := Parse("fuzz.md", src)
		if err != nil {
			return
		}
		for _, c := range nb.Cells() {
			if c.Chart == nil {
				continue
			}
			for _, res := range fuzzResults("a", 1, 2, "2014-01-31 00:00:00") {
				if b, err := c.Chart.Draw(res); err == nil {
					wellFormed(t, b)
				}
			}
		}
	})
}
