package report

import (
	"context"
	"slices"
	"strings"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/refdata"
)

// MethodData holds what the method page states: the data window, scale and
// seed, and the numbers the facts sheet (transform/facts) computes to check
// the three consistency notes of shared/FACTS.md against the data.
type MethodData struct {
	Run    RunInfo `json:"run"`
	Checks []Check `json:"checks"`
	// Reading is the reading of the 2014 figures the data follows (the run record's
	// calibration's), which the facts sheet judges by.
	Reading string `json:"reading"`
}

// Check is one consistency note's numbers from the data.
type Check struct {
	ID     int                `json:"id"`
	Values map[string]float64 `json:"values"`
	// ComputedZH and ComputedEN say what the numbers show, as the facts
	// sheet words it.
	ComputedZH string `json:"-"`
	ComputedEN string `json:"-"`
}

// methodData takes the run and the facts sheet's consistency checks, worded in both
// languages from the one measurement.
func methodData(_ context.Context, src *source) (MethodData, error) {
	d := MethodData{Run: src.run}
	en, zh := src.facts.Sheet("en"), src.facts.Sheet("zh")
	d.Reading = en.Reading
	for i, c := range en.Checks {
		d.Checks = append(d.Checks, Check{ID: c.ID, Values: c.Values, ComputedEN: c.Computed, ComputedZH: zh.Checks[i].Computed})
	}
	return d, nil
}

// method renders section 7: data, scale, seed, readings and assumptions.
func (p *part) method() {
	l, d, doc := p.l, p.d.Method, p.doc
	ri := d.Run
	doc.PageBreak()
	doc.Heading(1, l.Pick("八、方法", "8 Method"))
	seed := l.Pick("未知（仓库中没有记录）", "unknown (the warehouse does not record it)")
	switch ri.SeedSource {
	case "run.json":
		seed = ri.Seed + l.Pick("（运行记录 run.json）", " (run record run.json)")
		if ri.Calibration != "" {
			seed += l.Sprintf("；校准：%s", "; calibration: %s", ri.Calibration)
		}
	case "event ids":
		seed = ri.Seed + l.Pick("（由模拟器的事件编号读出）", " (read from the simulator's event ids)")
	}
	doc.Paragraph(l.Sprintf("数据窗口：%s 至 %s（北京时间，第一次与最后一次抢红包）。规模：%s（%s）。随机种子：%s。所有计算值都由只读打开的 DuckDB 仓库按需计算。",
		"Data window: %s to %s CST (first and last grab). Scale: %s (%s). Seed: %s. Every computed figure is queried from the DuckDB warehouse, opened read-only.",
		ri.First.Format("2006-01-02 15:04:05"), ri.Last.Format("2006-01-02 15:04:05"), sig(ri.Scale, 4), p.scaleSource(ri), seed))
	doc.Paragraph(l.Sprintf("每个数字都标明类别：%s；%s；%s。", "Every number is labelled: %s; %s; %s.", p.reported(), p.computed(), p.assumed()))
	var counts []string
	for _, name := range eventTables {
		counts = append(counts, name+" "+locale.Int(ri.Rows[name]))
	}
	doc.Note(l.Pick("各表行数（计算值）：", "Rows per table (computed): ") + strings.Join(counts, l.Pick("，", ", ")) + l.Pick("。", "."))

	p.readings()

	doc.Heading(2, l.Pick("解读文章的三点说明", "Reading the article: the three consistency notes"))
	checks := map[int]string{}
	for _, c := range d.Checks {
		checks[c.ID] = p.ref(c.ComputedZH, c.ComputedEN)
	}
	for _, n := range refNotes() {
		doc.Heading(3, l.Sprintf("说明 %d：%s", "Note %d: %s", n.ID, p.ref(n.TitleZH, n.TitleEN)))
		doc.Paragraph(p.ref(n.TextZH, n.TextEN) + l.Pick("（解读：由报道值推算）", " (An interpretation of the reported figures.)"))
		if c, ok := checks[n.ID]; ok {
			doc.Note(c + l.Pick("（计算值）", " (computed)"))
		}
	}

	doc.PageBreak()
	doc.Heading(2, l.Pick("各数字的口径", "What each headline figure counts"))
	rt := table(col(l.Pick("指标", "Figure"), 1.6, false), col(l.Pick("hongbao 的解读", "hongbao's reading"), 4, false))
	for _, r := range p.d.Headline.Rows {
		f := mustFact(r.ID)
		rt.Rows = append(rt.Rows, []string{p.ref(f.TitleZH, f.TitleEN), p.ref(f.InterpretationZH, f.Interpretation)})
	}
	doc.Table(rt)

	doc.Heading(2, l.Pick("假设（文章没有给出的参数）", "Assumptions (parameters the article does not give)"))
	b := p.d.Banks
	src := l.Pick("内置参考表 refdata/banks.csv", "built-in table refdata/banks.csv")
	if b.TableSource == "warehouse" {
		src = l.Pick("仓库表 banks：DIR/banks.csv，没有时为 refdata/banks.csv", "warehouse table banks: DIR/banks.csv, else refdata/banks.csv")
	}
	at := table(col(l.Pick("假设", "Assumption"), 2.2, false), col(l.Pick("取值", "Value"), 2.6, false), col(l.Pick("在哪里修改", "Where to change it"), 2.2, false))
	at.Rows = [][]string{
		{l.Pick("微信支付接入的 12 家银行", "The 12 banks WeChat Pay binds"), l.Pick("最大的 12 家零售银行", "the 12 largest retail banks"), src},
		{l.Pick("各银行的借记卡份额", "Each bank's share of debit cards"),
			l.Sprintf("最大 12 家合计 %s，其余按排名的倒数分配；共 %d 家银行", "the 12 largest hold %s together, the rest in proportion to 1/rank; %d banks", pct(sumTop(b.Banks, 12)), len(b.Banks)), src},
		{l.Pick("除夕夜的时段", "Eve night"),
			l.Sprintf("%s 至 %s（北京时间）", "%s to %s CST", ri.Windows.EveNightStart.Format("2006-01-02 15:04"), ri.Windows.EveNightEnd.Format("01-02 15:04")),
			l.Pick("运行记录 run.json；没有时用 transform/facts 的 2014 窗口", "the run record run.json; without one, the 2014 windows of transform/facts")},
		{l.Pick("各支付场景的占比、支付宝事件量、绑卡与提现行为、假链接比例", "Scenario shares, Alipay volumes, binding and withdrawal behaviour, the rate of fake links"),
			l.Pick("模拟参数", "simulation parameters"), l.Pick("模拟器校准文件（hongbao demo --calibration）；场景表 refdata/scenarios.csv", "the simulator calibration (hongbao demo --calibration); scenario table refdata/scenarios.csv")},
	}
	doc.Table(at)
}

// readings sets the two readings of the 2014 figures side by side, says which the
// data follows, and why the default is the one it is: the records that support it.
func (p *part) readings() {
	l, doc := p.l, p.doc
	rs := refdata.Readings()
	if len(rs) < 2 {
		return
	}
	def, alt := rs[0], rs[1]
	doc.Heading(2, l.Pick("两种解读，并列", "The two readings, side by side"))
	if r := p.d.Method.Reading; r != "" {
		doc.Paragraph(l.Sprintf("本数据按解读 %s 生成，事实表也按它判断。", "This data follows reading %s, and the facts sheet judges it by that reading.", r))
	} else {
		doc.Paragraph(l.Pick("本数据模拟的是另一年份，不采用 2014 年数字的任何解读；事实表仍把它与 2014 年的数字相比，仅供参考。",
			"This data models another year and follows no reading of the 2014 figures; the facts sheet still sets it against 2014's figures, which means little."))
	}
	t := table(col(l.Pick("指标", "Figure"), 1.5, false),
		col(p.ref(def.TitleZH, def.TitleEN)+l.Pick("（默认）", " (default)"), 3, false),
		col(p.ref(alt.TitleZH, alt.TitleEN), 3, false))
	var support []string
	for _, f := range refdata.Facts() {
		if f.Reading != "" {
			d, a := f.Text(def.ID), f.Text(alt.ID)
			t.Rows = append(t.Rows, []string{p.ref(f.TitleZH, f.TitleEN), p.ref(d.InterpretationZH, d.Interpretation), p.ref(a.InterpretationZH, a.Interpretation)})
		}
		for _, rc := range f.Corroboration {
			if rc.Agrees(def.ID) && !rc.Agrees(alt.ID) && !slices.Contains(support, rc.Value) {
				support = append(support, rc.Value)
				support = append(support, p.ref(rc.Source, rc.Source))
			}
		}
	}
	doc.Table(t)
	doc.Paragraph(l.Pick("为什么默认采用解读 ", "Why the default is reading ") + def.ID + l.Pick("：", ": ") + p.ref(def.TextZH, def.TextEN))
	var lines []string
	for i := 0; i+1 < len(support); i += 2 {
		lines = append(lines, p.ref(support[i], support[i])+" — "+support[i+1])
	}
	doc.Note(l.Pick("支持解读 ", "Records that support reading ") + def.ID + l.Pick("、与解读 ", " and contradict reading ") + alt.ID +
		l.Pick(" 不符的记录（报道值）：", " (reported): ") + strings.Join(lines, l.Pick("；", "; ")) + l.Pick("。", ".") +
		l.Sprintf("解读 %s 保留为校准 2014-since-launch（hongbao demo --calibration 2014-since-launch）。", " Reading %s stays available as the calibration 2014-since-launch (hongbao demo --calibration 2014-since-launch).", alt.ID))
}

// sumTop is the share of the n largest banks (banks sorted largest first).
func sumTop(banks []Bank, n int) float64 {
	s := 0.0
	for i := 0; i < n && i < len(banks); i++ {
		s += banks[i].Share
	}
	return s
}
