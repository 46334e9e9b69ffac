package report

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/testenv"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/reports/chart"
	"github.com/hongbao/hongbao/reports/fonts"
	"github.com/hongbao/hongbao/reports/pdf/pdftest"
	"github.com/hongbao/hongbao/transform"
)

// outDir keeps the test reports for looking at them:
// go test ./reports/report -run Build -args -out /tmp/report
var outDir = flag.String("out", "", "write the test reports to this folder")

func output(t *testing.T, name string) string {
	t.Helper()
	if *outDir != "" {
		dir := filepath.Join(*outDir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

var spaces = regexp.MustCompile(`\s+`)

// pageText returns the text of each page of the PDF at path, spaces folded.
func pageText(t *testing.T, path string, pages int) []string {
	t.Helper()
	out := make([]string, pages)
	for p := 1; p <= pages; p++ {
		out[p-1] = spaces.ReplaceAllString(pdftest.PageText(t, path, p), " ")
	}
	return out
}

// checkPDF asserts the page count, that every font is embedded as a Unicode
// (Identity-H) font, and that each section starts a page, in order.
func checkPDF(t *testing.T, res *Result, sections []string) []string {
	t.Helper()
	if n := pdftest.Pages(t, res.PDF); n != res.Pages {
		t.Errorf("pdfinfo counts %d pages, Result.Pages %d", n, res.Pages)
	}
	if pdftest.Fonts(t, res.PDF) == 0 {
		t.Fatal("pdffonts lists no font")
	}
	text := pageText(t, res.PDF, res.Pages)
	page := 0
	for _, s := range sections {
		found := false
		for p := page; p < len(text); p++ {
			if strings.HasPrefix(strings.TrimSpace(text[p]), s) {
				page, found = p+1, true
				break
			}
		}
		if !found {
			t.Errorf("no page after page %d starts with section %q", page, s)
		}
	}
	return text
}

// checkCharts asserts that every chart PNG decodes, 16 cm wide at 200 dpi
// and as tall as one of the heights the report uses.
func checkCharts(t *testing.T, res *Result, want int) {
	t.Helper()
	if len(res.Charts) != want {
		t.Errorf("%d charts, want %d: %v", len(res.Charts), want, res.Charts)
	}
	heights := map[int]bool{}
	for _, h := range []vg.Length{7.5 * vg.Centimeter, 8 * vg.Centimeter, 9 * vg.Centimeter, 10 * vg.Centimeter} {
		_, ph := chart.PixelSize(chartW, h)
		heights[ph] = true
	}
	wantW, _ := chart.PixelSize(chartW, chartH)
	for _, p := range res.Charts {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s does not decode: %v", p, err)
			continue
		}
		if w, h := img.Bounds().Dx(), img.Bounds().Dy(); w != wantW || !heights[h] {
			t.Errorf("%s is %dx%d, want %d wide and a report chart's height", filepath.Base(p), w, h, wantW)
		}
	}
}

var (
	sectionsEN = []string{"1 Headline figures", "2 The midnight peak", "3 Payment adoption", "4 Bank coverage", "5 Payment scenarios", "6 Risk", "7 Hindsight", "8 Method"}
	sectionsZH = []string{"一、主要数字", "二、除夕零点的高峰", "三、支付普及", "四、银行覆盖", "五、支付场景", "六、风险", "七、后见之明", "八、方法"}
	created    = time.Date(2014, 1, 31, 16, 0, 0, 0, locale.Zone)
)

// Per language: headline 1 page, peak 2, adoption 2, banks 2, scenarios
// and market 2, risk 1, hindsight 3, method 4 (in Liberation Sans; the Chinese font
// sets the English part a page shorter); a page more means something overflowed.
const (
	chartsPerLang = 15
	pagesPerLang  = 17
	pagesBoth     = 32 // both languages, in the Chinese font
)

func TestBuildEnglish(t *testing.T) {
	out := output(t, "en")
	res, err := Build(context.Background(), Options{Dir: testWarehouse(t), Out: out, Lang: "en", Now: created})
	if err != nil {
		t.Fatal(err)
	}
	if res.PDF != filepath.Join(out, FileName) || res.Font != "Liberation Sans" {
		t.Errorf("result %+v", res)
	}
	checkCharts(t, res, chartsPerLang)
	// Set in Latin fonts alone, every chart comes as SVG too.
	if len(res.SVGs) != len(res.Charts) {
		t.Errorf("%d SVGs for %d charts", len(res.SVGs), len(res.Charts))
	}
	for _, p := range res.SVGs {
		if b, err := os.ReadFile(p); err != nil || !bytes.Contains(b, []byte("<svg")) {
			t.Errorf("%s: not an SVG (%v)", p, err)
		}
	}
	if res.Pages != 1+pagesPerLang {
		t.Errorf("%d pages, want %d: a title page and %d per language", res.Pages, 1+pagesPerLang, pagesPerLang)
	}
	text := strings.Join(checkPDF(t, res, sectionsEN), " ")
	for _, want := range []string{
		"WeChat Pay", "Alipay", "12 banks", "about 180", "25,000/min",
		"4,820,000", ">75,000,000", "585,000", // reported headline figures
		"reported — CECRC/CRI Online 2014", "(computed)", "(assumed)",
		"Seed: 2014", "Hua Xia Bank (HXB)",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	// Headline table: computed beside reported, e.g. 13 attempts against >75,000,000.
	if !regexp.MustCompile(`Total grabs \(attempts\) 13 >75,000,000`).MatchString(text) {
		t.Error("the headline table does not set 13 computed attempts beside the reported >75,000,000")
	}
	// The hindsight chapter labels its numbers, and the method page sets both readings side by side.
	for _, want := range []string{"14.2 bn", "760,000", "[reported]", "[computed from reported figures]", "The two readings, side by side", "Reading A: 75 M claims since launch"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
}

func TestBuildBilingual(t *testing.T) {
	if _, err := fonts.Chinese(""); errors.Is(err, fonts.ErrNoChineseFont) {
		testenv.Missing(t, "%v", err)
	}
	out := output(t, "both")
	res, err := Build(context.Background(), Options{Dir: testWarehouse(t), Out: out, Lang: "both", Now: created})
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, res, 2*chartsPerLang)
	if res.Pages != 1+pagesBoth {
		t.Errorf("%d pages, want %d: a title page and %d for both languages", res.Pages, 1+pagesBoth, pagesBoth)
	}
	pages := checkPDF(t, res, append(append([]string{}, sectionsZH...), sectionsEN...))
	text := strings.Join(pages, " ")
	for _, want := range []string{"微信", "支付宝", "12 家", "180", "25,000/min", "482万", "WeChat Pay", "报道值", "计算值", "假设值"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	if !strings.Contains(pages[0], "Chinese report first") {
		t.Errorf("the title page does not say how the languages are ordered:\n%s", pages[0])
	}
}

func TestBuildWithoutChineseFont(t *testing.T) {
	chineseFont = func(string) (fonts.Family, error) { return fonts.Family{}, fonts.ErrNoChineseFont }
	defer func() { chineseFont = fonts.Chinese }()
	for _, lang := range []string{"zh", "both"} {
		out := t.TempDir()
		_, err := Build(context.Background(), Options{Dir: testWarehouse(t), Out: out, Lang: lang})
		if !errors.Is(err, fonts.ErrNoChineseFont) || !strings.Contains(err.Error(), "fonts-wqy-microhei") {
			t.Errorf("--lang %s without a Chinese font: err = %v, want one naming fonts-wqy-microhei", lang, err)
		}
		if entries, _ := os.ReadDir(out); len(entries) != 0 {
			t.Errorf("--lang %s wrote %d files without a font", lang, len(entries))
		}
	}
	// English needs no Chinese font.
	if _, err := Build(context.Background(), Options{Dir: testWarehouse(t), Out: t.TempDir(), Lang: "en"}); err != nil {
		t.Errorf("--lang en: %v", err)
	}
}

func TestBuildReplacesEarlierCharts(t *testing.T) {
	out := t.TempDir()
	for _, name := range []string{"01-headline.zh.png", "99-old.en.png", "98-old.en.svg", "notes.png"} {
		if err := os.WriteFile(filepath.Join(out, name), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Build(context.Background(), Options{Dir: testWarehouse(t), Out: out, Lang: "en"})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) != len(res.Charts)+len(res.SVGs)+2 { // the charts, the PDF, notes.png
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("folder holds %v; want this report's charts, the PDF and the user's notes.png", names)
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	if _, err := Build(context.Background(), Options{Dir: testWarehouse(t), Lang: "fr"}); !errors.Is(err, ErrLang) {
		t.Errorf("--lang fr: err = %v, want ErrLang", err)
	}
	if _, err := Build(context.Background(), Options{Dir: t.TempDir(), Lang: "en"}); !errors.Is(err, transform.ErrNoWarehouse) {
		t.Errorf("no warehouse: err = %v, want transform.ErrNoWarehouse", err)
	}
}

func TestRefStripsChineseForLatinFonts(t *testing.T) {
	fam, err := fonts.Latin()
	if err != nil {
		t.Fatal(err)
	}
	p := &part{l: English, fam: fam}
	for in, want := range map[string]string{
		"a participation (人次參與) is a grab attempt": "a participation is a grab attempt",
		"already empty ('too slow', 手慢了), while":   "already empty ('too slow'), while",
		"A lucky (拼手氣) envelope":                   "A lucky envelope",
		"Industrial and Commercial Bank of China":  "Industrial and Commercial Bank of China",
	} {
		if got := p.ref("中文", in); got != want {
			t.Errorf("ref(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestOddCodesInTheDataDoNotStopTheReport: scenario and bank codes are the producer's
// strings. One payment under '🧧红包' (a glyph no report font has) stopped the report in
// both languages at the missing glyph, a bidirectional override stopped the Chinese
// one; 3,000 codes drew 3,000 bars. The codes now show escaped, and a provider's chart
// draws at most 15 bars, the last for the others.
func TestOddCodesInTheDataDoNotStopTheReport(t *testing.T) {
	dir := t.TempDir()
	w := testworld.Festival(t, dir)
	ts := testworld.TS("2014-01-31 00:00:30+08")
	es := []events.Event{
		testworld.Payment("odd-1", ts, "u1", "wechat_pay", "🧧红包", 100, "ICBC"),
		testworld.Binding("odd-2", ts, "u9", "wechat_pay", "\u202eKNAB", events.BindBankNotSupported),
	}
	for i := range 40 {
		es = append(es, testworld.Payment(fmt.Sprintf("many-%d", i), ts, "u2", "alipay", fmt.Sprintf("code_%02d", i), 100, "CMB"))
	}
	w.Add(0, es...)
	w.Commit()
	testworld.Refresh(t, transform.Open, dir)
	res, err := Build(context.Background(), Options{Dir: dir, Out: t.TempDir(), Lang: "en"})
	if err != nil {
		t.Fatalf("a report over odd codes: %v", err)
	}
	if text := pdftest.Text(t, res.PDF); !strings.Contains(text, `\u{202e}KNAB`) {
		t.Errorf("the refused bindings' table lacks the escaped bank code")
	}
	svg := func(name string) string {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(res.PDF), name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if s := svg("10-scenarios-wechatpay.en.svg"); !strings.Contains(s, `>\u{1f9e7}`) {
		t.Errorf("the WeChat Pay scenario chart lacks the escaped code")
	}
	// Its title counts every scenario; 14 bars name one, the 15th holds the rest.
	alipay := svg("11-scenarios-alipay.en.svg")
	n := 0
	if m := regexp.MustCompile(`share of payments by scenario \((\d+) scenarios\)`).FindStringSubmatch(alipay); m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	if n < 51 || !strings.Contains(alipay, ">others</text>") || strings.Contains(alipay, ">code_39</text>") {
		t.Errorf("the Alipay scenario chart counts %d scenarios; want at least 51, in 15 bars", n)
	}
}
