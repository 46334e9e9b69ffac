package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/reports/fonts"
	"github.com/hongbao/hongbao/reports/fonts/fontstest"
)

// outDir keeps the test charts for looking at them:
// go test ./reports/chart -args -out /tmp/charts
var outDir = flag.String("out", "", "write the test charts to this folder")

// midnight is a claims-per-minute curve around the 2014 Spring Festival
// midnight, peaking at 25,000 at 00:00 CST on 2014-01-31.
func midnight() (ts []time.Time, claims, attempts []float64) {
	start := time.Date(2014, 1, 30, 22, 0, 0, 0, locale.Zone)
	for m := range 4 * 60 {
		t := start.Add(time.Duration(m) * time.Minute)
		d := t.Sub(time.Date(2014, 1, 31, 0, 0, 0, 0, locale.Zone)).Minutes()
		c := 6000 + 19000*math.Exp(-math.Abs(d)/12)
		if d < 0 {
			c = 6000 + 19000*math.Exp(d/25)
		}
		ts = append(ts, t)
		claims = append(claims, math.Round(c))
		attempts = append(attempts, math.Round(c*(1.3+3.4*math.Exp(-math.Abs(d)/4))))
	}
	return ts, claims, attempts
}

func peakChart(zh bool) *Line {
	ts, claims, attempts := midnight()
	peak := time.Date(2014, 1, 31, 0, 0, 0, 0, locale.Zone)
	l := &Line{
		Title:  "The midnight peak: red envelopes claimed and attempted per minute",
		XLabel: "China Standard Time (2014-01-30 to 01-31)",
		YLabel: "per minute (count)",
		Source: "Source: hongbao simulated events (computed); reference line: peak reported by CECRC via CRI Online (reported).",
		Series: []Series{
			{Name: "claimed (opened)", T: ts, Y: claims},
			{Name: "attempted (incl. too late)", T: ts, Y: attempts},
		},
		Refs:  []RefLine{{Y: 25000, Label: "reported peak: 25,000/min"}},
		Notes: []Note{{T: peak, Y: claims[120], Label: "computed peak at 00:00: 25,000"}},
	}
	if zh {
		l.Title = "除夕零点的红包高峰：每分钟领取与尝试次数"
		l.XLabel = "北京时间（2014年1月30日—31日）"
		l.YLabel = "每分钟次数（次）"
		l.Source = "来源：hongbao 模拟事件（计算值）；参考线为中国电子商务研究中心报道的峰值，经国际在线转引（报道值）。"
		l.Series[0].Name, l.Series[1].Name = "领取成功（拆开）", "尝试（含手慢了）"
		l.Refs[0].Label = "报道峰值：每分钟 2.5 万个"
		l.Notes[0].Label = "00:00 计算峰值 25,000"
	}
	return l
}

func banksChart(zh bool) *Bar {
	b := &Bar{
		Categories:     []string{"WeChat Pay", "Alipay"},
		Groups:         []BarGroup{{Values: []float64{12, 180}}},
		CategoryColors: []color.Color{Palette[0], Palette[1]},
		ValueLabels:    true,
	}
	if zh {
		b.Title = "可绑定的银行数量：微信支付 12 家，支付宝近 180 家"
		b.YLabel = "银行（家）"
		b.Categories = []string{"微信支付", "支付宝"}
		b.Source = "来源：国际在线 2014 年报道（报道值）。"
	} else {
		b.Title = "Banks a user can bind: WeChat Pay 12, Alipay about 180"
		b.YLabel = "banks"
		b.Source = "Source: CRI Online, 2014 (reported)."
	}
	return b
}

// scenariosChart has groups, long category names and a reference line.
func scenariosChart(zh bool) *Bar {
	b := &Bar{
		Groups: []BarGroup{
			{Name: "WeChat Pay", Values: []float64{410000, 125000, 38000, 9000}},
			{Name: "Alipay", Values: []float64{220000, 260000, 71000, 15000}},
		},
		Refs:        []RefLine{{Y: 300000, Label: "assumed capacity: 300,000"}},
		ValueLabels: true,
	}
	if zh {
		b.Title = "各支付场景的支付笔数（模拟，假设值）"
		b.YLabel = "支付笔数（笔）"
		b.XLabel = "支付场景"
		b.Categories = []string{"红包", "手机话费充值", "理财通与余额宝等理财产品", "打车"}
		b.Groups[0].Name, b.Groups[1].Name = "微信支付", "支付宝"
		b.Refs[0].Label = "假设容量：300,000 笔"
		b.Source = "来源：hongbao 模拟事件；场景占比为可修改的假设值。"
	} else {
		b.Title = "Payments per scenario (simulated, assumed shares)"
		b.YLabel = "payments (count)"
		b.XLabel = "scenario"
		b.Categories = []string{"red envelopes", "mobile top-up", "wealth products (Licaitong, Yu'e Bao)", "taxi"}
		b.Source = "Source: hongbao simulated events; scenario shares are user-editable assumptions."
	}
	return b
}

// reachChart has a numeric x axis.
func reachChart(zh bool) *Line {
	var x, y []float64
	for banks := 0; banks <= 180; banks += 4 {
		x = append(x, float64(banks))
		y = append(y, 100*(1-math.Exp(-float64(banks)/25)))
	}
	l := &Line{
		Series: []Series{{X: x, Y: y}},
		Notes:  []Note{{X: 12, Y: 100 * (1 - math.Exp(-12.0/25))}, {X: 180, Y: 100 * (1 - math.Exp(-180.0/25))}},
		Format: func(v float64) string { return locale.Number(v) + "%" },
	}
	if zh {
		l.Title, l.XLabel, l.YLabel = "可绑定银行数与借记卡覆盖率", "可绑定银行（家）", "覆盖的借记卡（%）"
		l.Notes[0].Label, l.Notes[1].Label = "微信支付：12 家", "支付宝：约 180 家"
		l.Source = "来源：假设的银行借记卡份额参考表（假设值）。"
	} else {
		l.Title, l.XLabel, l.YLabel = "Banks supported and debit cards covered", "banks supported", "debit cards covered (%)"
		l.Notes[0].Label, l.Notes[1].Label = "WeChat Pay: 12 banks", "Alipay: about 180 banks"
		l.Source = "Source: assumed reference table of banks' debit card shares (assumed)."
	}
	return l
}

func save(t *testing.T, name string, data []byte) {
	t.Helper()
	if *outDir == "" {
		return
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(*outDir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func checkPNG(t *testing.T, data []byte, w, h vg.Length) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	wantW, wantH := PixelSize(w, h)
	if b := img.Bounds(); b.Dx() != wantW || b.Dy() != wantH {
		t.Errorf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), wantW, wantH)
	}
}

func TestChartsSVG(t *testing.T) {
	w, h := 16*vg.Centimeter, 9*vg.Centimeter
	for name, c := range map[string]Chart{"peak": peakChart(false), "banks": banksChart(false)} {
		data, err := SVG(c, fontstest.Latin(t), w, h)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var doc struct {
			XMLName xml.Name
			Width   string `xml:"width,attr"`
		}
		if err := xml.Unmarshal(data, &doc); err != nil || doc.XMLName.Local != "svg" {
			t.Fatalf("%s: not an SVG document (%v)", name, err)
		}
		s := string(data)
		if !strings.Contains(s, "@font-face") || !strings.Contains(s, "Liberation") {
			t.Errorf("%s: the SVG does not embed its font", name)
		}
		if !strings.Contains(s, "Source:") {
			t.Errorf("%s: the SVG lacks the source line", name)
		}
		save(t, name+"_en.svg", data)
	}
}

func TestChartsPNGSize(t *testing.T) {
	w, h := 16*vg.Centimeter, 9*vg.Centimeter
	if pw, ph := PixelSize(w, h); pw != 1260 || ph != 709 {
		t.Fatalf("PixelSize(16cm, 9cm) = %dx%d, want 1260x709 at 200 dpi", pw, ph)
	}
	for _, zh := range []bool{false, true} {
		fam, lang := fontstest.Latin(t), "en"
		if zh {
			fam, lang = fontstest.Chinese(t), "zh"
		}
		for name, c := range map[string]Chart{
			"peak": peakChart(zh), "banks": banksChart(zh), "scenarios": scenariosChart(zh), "reach": reachChart(zh),
		} {
			data, err := PNG(c, fam, w, h)
			if err != nil {
				t.Fatalf("%s %s: %v", name, lang, err)
			}
			checkPNG(t, data, w, h)
			save(t, name+"_"+lang+".png", data)
		}
	}
}

func TestChartRefusesMissingGlyph(t *testing.T) {
	c := peakChart(true) // Chinese text
	_, err := PNG(c, fontstest.Latin(t), 16*vg.Centimeter, 9*vg.Centimeter)
	var mg *fonts.MissingGlyphsError
	if !errors.As(err, &mg) {
		t.Fatalf("Chinese chart with Liberation: err = %v, want MissingGlyphsError", err)
	}

	en := banksChart(false)
	en.Format = func(v float64) string { return locale.Number(v) + " 家" }
	if _, err := PNG(en, fontstest.Latin(t), 16*vg.Centimeter, 9*vg.Centimeter); !errors.As(err, &mg) {
		t.Fatalf("formatted value with Chinese unit: err = %v, want MissingGlyphsError", err)
	}
}

func TestChartRejectsBadInput(t *testing.T) {
	fam := fontstest.Latin(t)
	w, h := 16*vg.Centimeter, 9*vg.Centimeter
	for name, tc := range map[string]struct {
		c    Chart
		want error
	}{
		"no series":                   {&Line{}, ErrNoData},
		"short y":                     {&Line{Series: []Series{{X: []float64{1, 2}, Y: []float64{1}}}}, ErrShape},
		"mixed axes":                  {&Line{Series: []Series{{X: []float64{1}, Y: []float64{1}}, {T: []time.Time{{}}, Y: []float64{1}}}}, ErrShape},
		"NaN":                         {&Line{Series: []Series{{X: []float64{1}, Y: []float64{math.NaN()}}}}, ErrShape},
		"bar values":                  {&Bar{Categories: []string{"a", "b"}, Groups: []BarGroup{{Values: []float64{1}}}}, ErrShape},
		"no category":                 {&Bar{}, ErrNoData},
		"note on time axis without T": {&Line{Series: []Series{{T: []time.Time{time.Unix(0, 0)}, Y: []float64{1}}}, Notes: []Note{{X: 1, Y: 1}}}, ErrShape},
	} {
		if _, err := PNG(tc.c, fam, w, h); !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	if _, err := PNG(banksChart(false), fam, 2*vg.Centimeter, 2*vg.Centimeter); !errors.Is(err, ErrSize) {
		t.Errorf("tiny chart: err = %v, want ErrSize", err)
	}
}

func TestTimeTicks(t *testing.T) {
	at := func(h, m int) float64 {
		return float64(time.Date(2014, 1, 30, h, m, 0, 0, locale.Zone).Unix())
	}
	day := 24 * 60.0 * 60
	ticks := timeTicks{loc: locale.Zone, maxMajor: 6}.Ticks(at(22, 0), at(26, 0))
	var labels []string
	for _, tk := range ticks {
		if tk.Label != "" {
			labels = append(labels, strings.TrimSuffix(tk.Label, "\n "))
		}
	}
	want := "22:00\n01-30|23:00|00:00\n01-31|01:00|02:00"
	if got := strings.Join(labels, "|"); got != want {
		t.Errorf("4-hour span across midnight: labels %q, want %q", got, want)
	}
	if len(ticks) <= len(labels) {
		t.Errorf("no minor ticks among %d ticks", len(ticks))
	}

	labels = labels[:0]
	for _, tk := range (timeTicks{loc: locale.Zone, maxMajor: 6}).Ticks(at(0, 0)-5*day, at(0, 0)+2*day) {
		if tk.Label != "" {
			labels = append(labels, strings.TrimSuffix(tk.Label, "\n "))
		}
	}
	want = "01-25\n2014|01-27|01-29|01-31"
	if got := strings.Join(labels, "|"); got != want {
		t.Errorf("week from launch: labels %q, want %q", got, want)
	}
}

func TestNumberTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi float64
		target int
		want   string
	}{
		{0, 131000, 5, "0|25,000|50,000|75,000|100,000|125,000"},
		{0, 448, 5, "0|100|200|300|400"},
		{0, 180, 8, "0|25|50|75|100|125|150|175"},
		{-3, 7, 5, "-2|0|2|4|6"},
		{0, 1, 4, "0|0.25|0.5|0.75|1"},
	} {
		var labels []string
		for _, tk := range (numberTicks{format: locale.Number, target: tc.target}).Ticks(tc.lo, tc.hi) {
			if tk.Label != "" {
				labels = append(labels, tk.Label)
			}
		}
		if got := strings.Join(labels, "|"); got != tc.want {
			t.Errorf("Ticks(%v, %v) with target %d = %q, want %q", tc.lo, tc.hi, tc.target, got, tc.want)
		}
	}
}

func TestWidestWord(t *testing.T) {
	s := newStyles(fontstest.Latin(t)).text(tickSize, false, ink)
	got := widestWord([]string{"Online shopping", "Transfers", "生活缴费"}, s)
	if want := s.Width("Transfers"); got != want {
		t.Errorf("widestWord = %v, want the width of Transfers, %v", got, want)
	}
	if got := widestWord([]string{"生活缴费"}, s); got > s.Width("缴")*1.01 {
		t.Errorf("a Chinese name counts as its widest character, got %v", got)
	}
}

// The exported tick helpers give the same marks as the report charts, without
// gonum/plot's alignment padding.
func TestExportedTicks(t *testing.T) {
	var labels []string
	for _, tk := range NumberTicks(0, 26000, 5, nil) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "0 5,000 10,000 15,000 20,000 25,000" {
		t.Errorf("NumberTicks(0, 26000) labels = %s", got)
	}
	first := time.Date(2014, 1, 30, 23, 30, 0, 0, locale.Zone)
	labels = nil
	for _, tk := range TimeTicks(first, first.Add(time.Hour), 7) {
		if tk.Label != "" {
			labels = append(labels, fmt.Sprintf("%s@%d", tk.Label, int64(tk.Value)-first.Unix()))
		}
	}
	if got := strings.Join(labels, " "); got != "23:30\n01-30@0 23:40@600 23:50@1200 00:00\n01-31@1800 00:10@2400 00:20@3000 00:30@3600" {
		t.Errorf("TimeTicks(23:30, 00:30) labels = %q", got)
	}
}
