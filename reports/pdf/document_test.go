package pdf

import (
	"bytes"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/reports/chart"
	"github.com/hongbao/hongbao/reports/fonts"
	"github.com/hongbao/hongbao/reports/fonts/fontstest"
	"github.com/hongbao/hongbao/reports/pdf/pdftest"
)

// outDir keeps the test PDFs for looking at them:
// go test ./reports/pdf -args -out /tmp/pdf
var outDir = flag.String("out", "", "write the test PDFs to this folder")

const longZh = "除夕夜参与红包活动的总人数达到482万，截至大年初一16:00，参与微信抢红包的用户超过500万，总计抢红包7500万次以上，平均每分钟领取的红包达到9412个。" +
	"瞬间峰值出现在正月初一零点，每分钟有2.5万个红包被拆开；前5分钟内有58.5万人次参与抢红包。" +
	"两组数字并不矛盾：“参与”计入了抢到空红包（手慢了）的尝试，而“拆开”只计成功领取。" +
	"WeChat Pay 只接入了 12 家银行，支付宝接入的银行近 180 家，这决定了红包能否顺利提现。"

func peakPNG(t *testing.T, fam fonts.Family, zh bool) []byte {
	t.Helper()
	start := time.Date(2014, 1, 30, 23, 0, 0, 0, locale.Zone)
	var ts []time.Time
	var ys []float64
	for m := range 120 {
		ts = append(ts, start.Add(time.Duration(m)*time.Minute))
		ys = append(ys, math.Round(6000+19000*math.Exp(-math.Abs(float64(m-60))/10)))
	}
	l := &chart.Line{
		Title:  "The midnight peak",
		XLabel: "China Standard Time",
		YLabel: "claims per minute",
		Source: "Source: hongbao simulated events (computed).",
		Series: []chart.Series{{T: ts, Y: ys}},
		Refs:   []chart.RefLine{{Y: 25000, Label: "reported: 25,000/min"}},
	}
	if zh {
		l.Title, l.XLabel, l.YLabel = "除夕零点的红包高峰", "北京时间", "每分钟领取（次）"
		l.Source = "来源：hongbao 模拟事件（计算值）。"
		l.Refs[0].Label = "报道值：每分钟 2.5 万个"
	}
	png, err := chart.PNG(l, fam, 16*vg.Centimeter, 8*vg.Centimeter)
	if err != nil {
		t.Fatal(err)
	}
	return png
}

func figures(zh bool) Table {
	t := Table{
		Columns: []Column{{Title: "Figure", Width: 3}, {Title: "Value", Width: 1.6, Align: Right}, {Title: "Kind", Width: 1.2}, {Title: "Source or note", Width: 4}},
		Rows: [][]string{
			{"Peak envelopes opened per minute", "25,000", "reported", "CECRC monitoring data via CRI Online (2014)"},
			{"Peak envelopes opened per minute", "24,873", "computed", "claims_per_minute model, 00:00 on Day 1"},
			{"Banks WeChat Pay can bind", "12", "reported", "CRI Online (2014)"},
			{"Debit card share per bank", "see table", "assumed", "user-editable reference table banks"},
		},
	}
	if zh {
		for i, title := range []string{"指标", "数值", "类别", "来源或说明"} {
			t.Columns[i].Title = title
		}
		t.Rows = [][]string{
			{"每分钟拆开红包峰值", "25,000", "报道值", "中国电子商务研究中心监测数据，经国际在线（2014）转引"},
			{"每分钟拆开红包峰值", "24,873", "计算值", "claims_per_minute 模型，正月初一 00:00"},
			{"微信支付可绑定银行", "12", "报道值", "国际在线（2014）"},
			{"各银行借记卡份额", "见参考表", "假设值", "用户可修改的参考表 banks"},
		}
	}
	return t
}

// build makes a three-page report: title page, text with a chart, and a
// page with a table.
func build(t *testing.T, fam fonts.Family, zh bool) *Document {
	t.Helper()
	meta := Meta{Title: "hongbao report", Footer: "hongbao · 2014 Spring Festival red envelopes", Lang: "en",
		Created: time.Date(2014, 1, 31, 16, 0, 0, 0, locale.Zone)}
	if zh {
		meta = Meta{Title: "2014 春节红包报告", Footer: "hongbao · 2014 春节微信红包", Lang: "zh-CN", Created: meta.Created}
	}
	d, err := New(fam, meta)
	if err != nil {
		t.Fatal(err)
	}
	if zh {
		d.TitlePage("2014 年春节微信红包：零点高峰与支付覆盖", "给策略人员的报告", "数据：hongbao 模拟事件，按文章数字校准", "生成：2014-01-31")
		d.Heading(1, "一、除夕零点的高峰")
		d.Paragraph(longZh)
		d.Image(peakPNG(t, fam, true), 0)
		d.Note("注：计算值来自模拟事件，报道值来自文章；两者的口径差异见第 3 页。")
		d.Heading(2, "1.1 参与与拆开")
		d.Paragraph(longZh)
		d.PageBreak()
		d.Heading(1, "二、报道值、计算值与假设值")
		d.Table(figures(true))
	} else {
		d.TitlePage("WeChat red envelopes, Spring Festival 2014: the midnight peak and payment reach", "A report for strategists", "Data: hongbao simulated events, calibrated to the article", "Generated: 2014-01-31")
		d.Heading(1, "1 The midnight peak")
		d.Paragraph(strings.Repeat("Between New Year's Eve and 16:00 on Day 1 more than five million users grabbed red envelopes. ", 4))
		d.Image(peakPNG(t, fam, false), 0)
		d.Heading(2, "1.1 Attempts and claims")
		d.Paragraph(strings.Repeat("Participation counts attempts, including envelopes already empty; opened counts successful claims. ", 5))
		d.PageBreak()
		d.Heading(1, "2 Reported, computed and assumed figures")
		d.Table(figures(false))
	}
	return d
}

func write(t *testing.T, d *Document, name string) string {
	t.Helper()
	dir := t.TempDir()
	if *outDir != "" {
		dir = *outDir
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, name)
	if err := d.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

var spaces = regexp.MustCompile(`\s+`)

func TestChineseReport(t *testing.T) {
	fam := fontstest.Chinese(t)
	d := build(t, fam, true)
	if got := d.Pages(); got != 3 {
		t.Errorf("Pages() = %d, want 3", got)
	}
	path := write(t, d, "report_zh.pdf")

	if n := pdftest.Pages(t, path); n != 3 {
		t.Errorf("pdfinfo counts %d pages, want 3", n)
	}
	checkFonts(t, path, 1)

	text := spaces.ReplaceAllString(pdftest.Text(t, path), "")
	for _, want := range []string{
		"2014年春节微信红包：零点高峰与支付覆盖",
		spaces.ReplaceAllString(longZh, ""), // every character survives line breaking
		"报道值", "计算值", "假设值", "中国电子商务研究中心监测数据，经国际在线（2014）转引",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
	page2 := pdftest.PageText(t, path, 2, "-layout")
	if !regexp.MustCompile(`hongbao · 2014 春节微信红包\s+2\s*$`).MatchString(strings.TrimSpace(page2)) {
		t.Errorf("page 2 does not end with the footer and page number:\n%s", page2)
	}
	page1 := pdftest.PageText(t, path, 1)
	if strings.Contains(page1, "hongbao ·") {
		t.Error("the title page has a footer")
	}
}

func TestEnglishReport(t *testing.T) {
	d := build(t, fontstest.Latin(t), false)
	path := write(t, d, "report_en.pdf")
	if got := d.Pages(); got != 3 {
		t.Errorf("Pages() = %d, want 3", got)
	}
	checkFonts(t, path, 2) // Liberation Sans regular and bold
	text := spaces.ReplaceAllString(pdftest.Text(t, path), " ")
	for _, want := range []string{"the midnight peak and payment reach", "CECRC monitoring data via CRI Online (2014)", "assumed"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext output lacks %q", want)
		}
	}
}

// checkFonts asserts that the PDF at path has n fonts, each embedded (as a subset)
// with Identity-H encoding.
func checkFonts(t *testing.T, path string, n int) {
	t.Helper()
	if got := pdftest.Fonts(t, path); got != n {
		t.Errorf("pdffonts lists %d fonts, want %d", got, n)
	}
}

func TestMissingGlyphWritesNothing(t *testing.T) {
	d, err := New(fontstest.Latin(t), Meta{Title: "report"})
	if err != nil {
		t.Fatal(err)
	}
	d.Heading(1, "Banks")
	d.Paragraph("WeChat Pay 微信支付")
	d.Paragraph("more text after the error is ignored")
	var mg *fonts.MissingGlyphsError
	if !errors.As(d.Err(), &mg) || string(mg.Missing) != "微信支付" {
		t.Fatalf("Err() = %v, want MissingGlyphsError for 微信支付", d.Err())
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := d.Save(path); !errors.As(err, &mg) {
		t.Fatalf("Save: err = %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 0 {
		t.Errorf("Save left files behind: %v", entries)
	}
	if _, err := New(fontstest.Latin(t), Meta{Footer: "红包"}); !errors.As(err, &mg) {
		t.Errorf("New with a Chinese footer in Liberation: err = %v", err)
	}
}

func TestBadInput(t *testing.T) {
	d, _ := New(fontstest.Latin(t), Meta{})
	d.Table(Table{Columns: []Column{{Title: "a"}, {Title: "b"}}, Rows: [][]string{{"1"}}})
	if !errors.Is(d.Err(), ErrTable) {
		t.Errorf("short row: err = %v, want ErrTable", d.Err())
	}
	d, _ = New(fontstest.Latin(t), Meta{})
	d.Image([]byte("not a png"), 0)
	if !errors.Is(d.Err(), ErrImage) {
		t.Errorf("bad image: err = %v, want ErrImage", d.Err())
	}
	d, _ = New(fontstest.Latin(t), Meta{})
	d.Paragraph("first")
	d.TitlePage("late title", "")
	if d.Err() == nil {
		t.Error("a title page after content was accepted")
	}
}

func TestLongTableRepeatsHeader(t *testing.T) {
	fam := fontstest.Latin(t)
	d, _ := New(fam, Meta{Footer: "hongbao"})
	tb := Table{Columns: []Column{{Title: "Minute"}, {Title: "Claims", Align: Right}}}
	for i := range 120 {
		tb.Rows = append(tb.Rows, []string{time.Date(2014, 1, 31, 0, i, 0, 0, time.UTC).Format("15:04"), locale.Number(float64(25000 - 100*i))})
	}
	d.Table(tb)
	var buf bytes.Buffer
	if err := d.Write(&buf); err != nil {
		t.Fatal(err)
	}
	if d.Pages() < 3 {
		t.Fatalf("120 rows fit on %d pages; the test needs a table across pages", d.Pages())
	}
	path := write(t, d, "table_en.pdf")
	d.Paragraph("too late")
	if !errors.Is(d.Err(), ErrWritten) {
		t.Errorf("content after Write: err = %v, want ErrWritten", d.Err())
	}
	for p := 1; p <= d.Pages(); p++ {
		page := pdftest.PageText(t, path, p)
		if !strings.Contains(page, "Minute") {
			t.Errorf("page %d has no table header", p)
		}
	}
}

// TestDiscardKeepsNothing: a Discard document takes every kind of content, even
// content a real one would refuse, and has nothing to write.
func TestDiscardKeepsNothing(t *testing.T) {
	d := Discard()
	d.TitlePage("title", "subtitle")
	d.Heading(1, "heading")
	d.Paragraph("text")
	d.Note("note")
	d.Table(Table{Columns: []Column{{Title: "a"}, {Title: "b"}}, Rows: [][]string{{"1"}}})
	d.Image([]byte("not a png"), 0)
	d.PageBreak()
	if n := d.Pages(); n != 0 {
		t.Errorf("%d pages", n)
	}
	path := filepath.Join(t.TempDir(), "discarded.pdf")
	if err := d.Save(path); !errors.Is(err, ErrDiscarded) {
		t.Errorf("Save: %v, want ErrDiscarded", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Save left a file: %v", err)
	}
}
