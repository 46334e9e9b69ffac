package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/wholefile"
	"github.com/hongbao/hongbao/reports/chart"
	"github.com/hongbao/hongbao/reports/fonts"
	"github.com/hongbao/hongbao/reports/pdf"
	"github.com/hongbao/hongbao/transform"
	"github.com/hongbao/hongbao/transform/facts"
)

// Options chooses what Build reads and writes.
type Options struct {
	// Dir is the data folder holding warehouse.duckdb.
	Dir string
	// Out is the folder the PDF and the PNGs go to; empty means Dir/reports.
	Out string
	// Lang is "zh", "en" or "both" (the default): both writes one PDF with
	// the Chinese report first and the English one after it, and every
	// chart in each language.
	Lang string
	// FontPath is a TrueType font for Chinese text; empty means HONGBAO_FONT
	// or the first suitable system font. English-only reports use the
	// bundled Liberation Sans and need no font.
	FontPath string
	// Now is the creation time recorded in the PDF and printed on the title
	// page; zero means the current time.
	Now time.Time
	// Progress, if set, is called after each step (a section's numbers, a
	// language's pages, the files) with the steps done and their total.
	Progress func(done, total int)
}

// Result lists what Build wrote.
type Result struct {
	PDF    string   // the report
	Pages  int      // its pages
	Charts []string // the chart PNGs, in report order
	// SVGs are the charts again as SVG, fonts embedded, when the report is set in
	// Latin fonts alone (--lang en); a Chinese font would add over 10 MB to each.
	SVGs []string
	Font string // the family the report is set in
	// Summary is what the demo prints, from the numbers the report read: the rows
	// and money of each table and the busiest minute.
	Summary Summary
	// Elapsed is the time Build took, reading included.
	Elapsed time.Duration
}

// FileName is the name of the report PDF inside the output folder.
const FileName = "hongbao-report.pdf"

// Chart size: the printed width of the PDF's text block, at 200 dpi.
var (
	chartW = 16 * vg.Centimeter
	chartH = 9 * vg.Centimeter
)

// Build reads the warehouse of o.Dir and writes the report PDF and one PNG
// per chart to o.Out. With Chinese text and no usable font it returns
// fonts.ErrNoChineseFont, whose message names the font package to install;
// it never writes a PDF or chart with a missing glyph.
func Build(ctx context.Context, o Options) (*Result, error) {
	start := time.Now()
	ls, err := langs(o.Lang)
	if err != nil {
		return nil, err
	}
	fam, err := family(ls, o.FontPath)
	if err != nil {
		return nil, err
	}
	w, err := transform.OpenReadOnly(o.Dir)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	total := len(sections) + len(ls) + 1
	done := 0
	step := func() {
		done++
		if o.Progress != nil {
			o.Progress(done, total)
		}
	}
	data, err := collect(ctx, w.DB(), datadir.Dir(o.Dir), step)
	if err != nil {
		return nil, err
	}
	w.Close() // release the file before the slow step

	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	doc, charts, err := render(ctx, fam, ls, data, now, step)
	if err != nil {
		return nil, err
	}
	out := o.Out
	if out == "" {
		out = datadir.Dir(o.Dir).Reports()
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("create report folder: %w", err)
	}
	res := &Result{PDF: filepath.Join(out, FileName), Font: fam.Name(), Summary: Summary{
		Rows: data.Method.Run.Rows, Fen: data.Method.Run.Fen, PeakMinute: data.Peak.Peak.T, PeakClaims: data.Peak.Peak.Claims}}
	// Charts first: a failed chart write leaves no PDF claiming to match it.
	written := map[string]bool{}
	for _, c := range charts {
		p := filepath.Join(out, c.file)
		if err := wholefile.WriteBytes(p, 0o644, c.data); err != nil {
			return nil, err
		}
		if strings.HasSuffix(c.file, ".svg") {
			res.SVGs = append(res.SVGs, p)
		} else {
			res.Charts = append(res.Charts, p)
		}
		written[c.file] = true
	}
	if err := removeStaleCharts(out, written); err != nil {
		return nil, err
	}
	if err := doc.Save(res.PDF); err != nil {
		return nil, fmt.Errorf("write %s: %w", res.PDF, err)
	}
	res.Pages = doc.Pages()
	step()
	res.Elapsed = time.Since(start)
	return res, nil
}

// chineseFont finds the font for Chinese text; tests replace it to play a
// machine without one.
var chineseFont = fonts.Chinese

// family picks the font: Chinese needs a CJK TrueType font, English alone
// the bundled Liberation Sans.
func family(ls []Lang, path string) (fonts.Family, error) {
	for _, l := range ls {
		if l == Chinese {
			return chineseFont(path)
		}
	}
	return fonts.Latin()
}

// reportData is every section's numbers.
type reportData struct {
	Method    MethodData
	Headline  HeadlineData
	Peak      PeakData
	Adoption  AdoptionData
	Banks     BankData
	Scenarios ScenarioData
	Risk      RiskData
	Hindsight HindsightData
}

// source is what the sections read: the warehouse, and what several sections need,
// read from it once: the run and the facts sheet's measures.
type source struct {
	db    *sql.DB
	run   RunInfo
	facts *facts.Measures
}

// newSource reads the run of db, the warehouse of data folder dir, and measures the
// facts sheet, once for every section and both languages.
func newSource(ctx context.Context, db *sql.DB, dir datadir.Dir) (*source, error) {
	ri, err := runInfo(ctx, db, dir)
	if err != nil {
		return nil, err
	}
	run, hasRun := ri.run()
	m, err := facts.Measure(ctx, db, run, hasRun)
	if err != nil {
		return nil, fmt.Errorf("facts sheet: %w", err)
	}
	return &source{db: db, run: ri, facts: m}, nil
}

// dataSection is one data function of the report and where its result goes.
type dataSection struct {
	name string
	run  func(context.Context, *source, *reportData) error
}

// section pairs a section's data function with its field of reportData.
func section[T any](name string, data func(context.Context, *source) (T, error), field func(*reportData) *T) dataSection {
	return dataSection{name, func(ctx context.Context, src *source, d *reportData) (err error) {
		*field(d), err = data(ctx, src)
		return
	}}
}

// sections are the data functions, in the order collect runs them.
var sections = []dataSection{
	section("method", methodData, func(d *reportData) *MethodData { return &d.Method }),
	section("headline", headlineData, func(d *reportData) *HeadlineData { return &d.Headline }),
	section("midnight peak", peakData, func(d *reportData) *PeakData { return &d.Peak }),
	section("payment adoption", adoptionData, func(d *reportData) *AdoptionData { return &d.Adoption }),
	section("bank coverage", bankData, func(d *reportData) *BankData { return &d.Banks }),
	section("payment scenarios", scenarioData, func(d *reportData) *ScenarioData { return &d.Scenarios }),
	section("risk", riskData, func(d *reportData) *RiskData { return &d.Risk }),
	section("hindsight", hindsightData, func(d *reportData) *HindsightData { return &d.Hindsight }),
}

// collect reads the run (the warehouse's data window and the run record of data
// folder dir) and the facts sheet, then runs every section's data function, calling
// step after each.
func collect(ctx context.Context, db *sql.DB, dir datadir.Dir, step func()) (*reportData, error) {
	failed := func(section string, err error) error {
		if errors.Is(err, ErrNoEvents) || ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("report section %s: %w", section, err)
	}
	src, err := newSource(ctx, db, dir)
	if err != nil {
		return nil, failed(sections[0].name, err) // the method section, which reads the run first
	}
	d := &reportData{}
	for _, s := range sections {
		if err := s.run(ctx, src, d); err != nil {
			return nil, failed(s.name, err)
		}
		step()
	}
	return d, nil
}

// svgIsCheap reports whether embedding fam in an SVG is cheap: true for the Latin
// fonts of an English report (a few hundred kB), false for a Chinese font (over
// 10 MB per chart, since the SVG embeds the whole file).
func svgIsCheap(fam fonts.Family) bool {
	n := len(fam.Regular.TTF)
	if fam.Bold != nil {
		n += len(fam.Bold.TTF)
	}
	return n < 2<<20
}

// chartFile is one chart file (PNG or SVG) to write.
type chartFile struct {
	file string
	data []byte
}

// chartName matches the chart files Build writes: NN-name.LANG.png, and
// NN-name.en.svg.
var chartName = regexp.MustCompile(`^[0-9]{2}-[a-z0-9-]+\.(zh\.png|en\.png|en\.svg)$`)

// removeStaleCharts removes chart files of an earlier report from out, so
// the folder holds the charts of one report.
func removeStaleCharts(out string, keep map[string]bool) error {
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("list %s: %w", out, err)
	}
	for _, e := range entries {
		if chartName.MatchString(e.Name()) && !keep[e.Name()] {
			if err := os.Remove(filepath.Join(out, e.Name())); err != nil {
				return fmt.Errorf("remove an earlier chart: %w", err)
			}
		}
	}
	return nil
}

// part is one language's pass over the document: it adds text, tables and
// charts, keeping the first error.
type part struct {
	doc    *pdf.Document
	fam    fonts.Family
	l      Lang
	d      *reportData
	charts []chartFile
	n      int // charts so far, for file names
	err    error
	// plan, set on the first pass through the sections (on a pdf.Discard
	// document), lists the charts instead of placing them; drawn holds them,
	// in that order, on the second pass.
	plan  *[]chartJob
	drawn []drawnChart
}

// chartJob is a chart the first pass found: its file name without the extension,
// what to draw, and whether an SVG goes with the PNG.
type chartJob struct {
	file   string
	c      chart.Chart
	height vg.Length
	svg    bool
}

// drawnChart is a chartJob drawn.
type drawnChart struct {
	file     string
	png, svg []byte
}

// chart places c in the document and keeps its PNG as NN-name.LANG.png (and, for
// an English report in Latin fonts, its SVG), drawn beforehand by drawCharts.
func (p *part) chart(name string, c chart.Chart, height vg.Length) {
	if p.err != nil {
		return
	}
	if height == 0 {
		height = chartH
	}
	p.n++
	file := fmt.Sprintf("%02d-%s.%s", p.n, name, p.l)
	if p.plan != nil {
		*p.plan = append(*p.plan, chartJob{file: file, c: c, height: height, svg: p.l == English && svgIsCheap(p.fam)})
		return
	}
	if len(p.drawn) == 0 || p.drawn[0].file != file {
		p.err = fmt.Errorf("report: chart %s was not drawn beforehand", file)
		return
	}
	dc := p.drawn[0]
	p.drawn = p.drawn[1:]
	p.charts = append(p.charts, chartFile{file: file + ".png", data: dc.png})
	if dc.svg != nil {
		p.charts = append(p.charts, chartFile{file: file + ".svg", data: dc.svg})
	}
	p.doc.Image(dc.png, 0)
}

// drawCharts draws the charts of jobs, on as many goroutines as the process has
// processors, up to maxDrawing: drawing and PNG-encoding thirty charts was most of
// the time the report took after its queries, on one core (docs/BENCHMARKS.md). It
// returns the first error in the order of jobs.
func drawCharts(ctx context.Context, fam fonts.Family, jobs []chartJob) ([]drawnChart, error) {
	out := make([]drawnChart, len(jobs))
	errs := make([]error, len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), maxDrawing, len(jobs)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(jobs) && ctx.Err() == nil; i = int(next.Add(1) - 1) {
				j := jobs[i]
				out[i].file = j.file
				if out[i].png, errs[i] = chart.PNG(j.c, fam, chartW, j.height); errs[i] == nil && j.svg {
					out[i].svg, errs[i] = chart.SVG(j.c, fam, chartW, j.height)
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// maxDrawing bounds the charts drawn at once: each holds its canvas, 3.2-3.6 MB at the
// report's sizes, while it is drawn and encoded.
const maxDrawing = 8

// sectionsInOrder are the sections of one language's part, in reading order.
var sectionsInOrder = []func(*part){
	(*part).headline, (*part).peak, (*part).adoption, (*part).banks,
	(*part).scenarios, (*part).risk, (*part).hindsight, (*part).method,
}

// render lays out the whole report. It goes through the sections twice: first on a
// document that keeps nothing, to list the charts and draw them all at once
// (drawCharts), then on the report's document, placing them.
func render(ctx context.Context, fam fonts.Family, ls []Lang, d *reportData, now time.Time, step func()) (*pdf.Document, []chartFile, error) {
	var jobs []chartJob
	for _, l := range ls {
		p := &part{doc: pdf.Discard(), fam: fam, l: l, d: d, plan: &jobs}
		for _, section := range sectionsInOrder {
			section(p)
		}
	}
	drawn, err := drawCharts(ctx, fam, jobs)
	if err != nil {
		return nil, nil, err
	}

	meta := pdf.Meta{Author: "hongbao", Created: now}
	if len(ls) == 1 && ls[0] == English {
		meta.Title = "WeChat red envelopes, Spring Festival 2014"
		meta.Subject = "The midnight peak, payment adoption and bank coverage"
		meta.Lang = "en"
		meta.Footer = "hongbao · WeChat red envelopes 2014"
	} else {
		meta.Title = "2014 春节微信红包 · WeChat red envelopes, Spring Festival 2014"
		meta.Subject = "零点高峰、支付普及与银行覆盖 · The midnight peak, payment adoption and bank coverage"
		meta.Lang = "zh-CN"
		meta.Footer = "hongbao · 2014 春节微信红包 · WeChat red envelopes 2014"
		if len(ls) == 1 {
			meta.Title, meta.Subject, meta.Footer = "2014 春节微信红包", "零点高峰、支付普及与银行覆盖", "hongbao · 2014 春节微信红包"
		}
	}
	doc, err := pdf.New(fam, meta)
	if err != nil {
		return nil, nil, err
	}
	titlePage(doc, ls, d, now)
	var charts []chartFile
	for i, l := range ls {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		p := &part{doc: doc, fam: fam, l: l, d: d, drawn: drawn}
		if i > 0 {
			doc.PageBreak()
		}
		for _, section := range sectionsInOrder {
			section(p)
		}
		if p.err != nil {
			return nil, nil, p.err
		}
		drawn = p.drawn
		charts = append(charts, p.charts...)
		step()
	}
	if len(drawn) > 0 {
		return nil, nil, fmt.Errorf("report: chart %s was drawn but not placed", drawn[0].file)
	}
	if err := doc.Err(); err != nil {
		return nil, nil, err
	}
	return doc, charts, nil
}

// titlePage names the report, the data and the languages.
func titlePage(doc *pdf.Document, ls []Lang, d *reportData, now time.Time) {
	ri := d.Method.Run
	window := ri.First.Format("2006-01-02 15:04") + " → " + ri.Last.Format("2006-01-02 15:04")
	if len(ls) == 2 {
		doc.TitlePage("2014 春节微信红包\nWeChat red envelopes, Spring Festival 2014",
			"零点高峰、支付普及与银行覆盖\nThe midnight peak, payment adoption and bank coverage",
			"面向战略人员的报告 · A report for strategists",
			"数据 Data: "+window+" CST · 规模 scale "+sig(ri.Scale, 4)+" · "+locale.Int(ri.Claims)+" 次领取 claims",
			"中文报告在前，英文报告在后 · Chinese report first, English report after it",
			"生成 Generated: "+now.In(locale.Zone).Format("2006-01-02 15:04")+" CST · hongbao report")
		return
	}
	l := ls[0]
	doc.TitlePage(l.Pick("2014 春节微信红包", "WeChat red envelopes, Spring Festival 2014"),
		l.Pick("零点高峰、支付普及与银行覆盖\n面向战略人员的报告", "The midnight peak, payment adoption and bank coverage\nA report for strategists"),
		l.Sprintf("数据：%s（北京时间）· 规模 %s · %s 次领取", "Data: %s CST · scale %s · %s claims", window, sig(ri.Scale, 4), locale.Int(ri.Claims)),
		l.Sprintf("生成：%s（北京时间）· hongbao report", "Generated: %s CST · hongbao report", now.In(locale.Zone).Format("2006-01-02 15:04")))
}
