package report

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/hongbao/hongbao/transform/facts"
)

// MethodData holds what the method page states: the data window, scale and
// seed, and the numbers the facts sheet (transform/facts) computes to check
// the three consistency notes of shared/FACTS.md against the data.
type MethodData struct {
	Run    RunInfo `json:"run"`
	Checks []Check `json:"checks"`
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

// methodData reads the run and the facts sheet's consistency checks.
func methodData(ctx context.Context, db *sql.DB, ri RunInfo) (MethodData, error) {
	d := MethodData{Run: ri}
	run, hasRun := d.Run.run()
	idx := map[int]int{}
	for _, lang := range []string{"en", "zh"} {
		sheet, err := facts.Compute(ctx, db, run, hasRun, lang)
		if err != nil {
			return d, fmt.Errorf("facts sheet: %w", err)
		}
		for _, c := range sheet.Checks {
			i, ok := idx[c.ID]
			if !ok {
				i = len(d.Checks)
				idx[c.ID] = i
				d.Checks = append(d.Checks, Check{ID: c.ID, Values: c.Values})
			}
			ch := &d.Checks[i]
			if lang == "zh" {
				ch.ComputedZH = c.Computed
			} else {
				ch.ComputedEN = c.Computed
			}
		}
	}
	return d, nil
}

// method renders section 7: data, scale, seed, readings and assumptions.
func (p *part) method() {
	l, d, doc := p.l, p.d.Method, p.doc
	ri := d.Run
	doc.PageBreak()
	doc.Heading(1, l.s("七、方法", "7 Method"))
	seed := l.s("未知（仓库中没有记录）", "unknown (the warehouse does not record it)")
	switch ri.SeedSource {
	case "run.json":
		seed = ri.Seed + l.s("（运行记录 run.json）", " (run record run.json)")
		if ri.Calibration != "" {
			seed += l.f("；校准：%s", "; calibration: %s", ri.Calibration)
		}
	case "event ids":
		seed = ri.Seed + l.s("（由模拟器的事件编号读出）", " (read from the simulator's event ids)")
	}
	doc.Paragraph(l.f("数据窗口：%s 至 %s（北京时间，第一次与最后一次抢红包）。规模：%s（%s）。随机种子：%s。所有计算值都由只读打开的 DuckDB 仓库按需计算。",
		"Data window: %s to %s CST (first and last grab). Scale: %s (%s). Seed: %s. Every computed figure is queried from the DuckDB warehouse, opened read-only.",
		ri.First.Format("2006-01-02 15:04:05"), ri.Last.Format("2006-01-02 15:04:05"), sig(ri.Scale, 4), l.scaleSource(ri), seed))
	doc.Paragraph(l.f("每个数字都标明类别：%s；%s；%s。", "Every number is labelled: %s; %s; %s.", l.reported(), l.computed(), l.assumed()))
	var counts []string
	for _, name := range eventTables {
		counts = append(counts, name+" "+inum(ri.Rows[name]))
	}
	doc.Note(l.s("各表行数（计算值）：", "Rows per table (computed): ") + strings.Join(counts, l.s("，", ", ")) + l.s("。", "."))

	doc.Heading(2, l.s("解读文章的三点说明", "Reading the article: the three consistency notes"))
	checks := map[int]string{}
	for _, c := range d.Checks {
		checks[c.ID] = p.ref(c.ComputedZH, c.ComputedEN)
	}
	for _, n := range refNotes() {
		doc.Heading(3, l.f("说明 %d：%s", "Note %d: %s", n.ID, p.ref(n.TitleZH, n.TitleEN)))
		doc.Paragraph(p.ref(n.TextZH, n.TextEN) + l.s("（解读：由报道值推算）", " (An interpretation of the reported figures.)"))
		if c, ok := checks[n.ID]; ok {
			doc.Note(c + l.s("（计算值）", " (computed)"))
		}
	}

	doc.PageBreak()
	doc.Heading(2, l.s("各数字的口径", "What each headline figure counts"))
	rt := table(col(l.s("指标", "Figure"), 1.6, false), col(l.s("hongbao 的解读", "hongbao's reading"), 4, false))
	for _, r := range p.d.Headline.Rows {
		f := mustFact(r.ID)
		rt.Rows = append(rt.Rows, []string{p.ref(f.TitleZH, f.TitleEN), p.ref(f.InterpretationZH, f.Interpretation)})
	}
	doc.Table(rt)

	doc.Heading(2, l.s("假设（文章没有给出的参数）", "Assumptions (parameters the article does not give)"))
	b := p.d.Banks
	src := l.s("内置参考表 refdata/banks.csv", "built-in table refdata/banks.csv")
	if b.TableSource == "warehouse" {
		src = l.s("仓库表 banks：DIR/banks.csv，没有时为 refdata/banks.csv", "warehouse table banks: DIR/banks.csv, else refdata/banks.csv")
	}
	at := table(col(l.s("假设", "Assumption"), 2.2, false), col(l.s("取值", "Value"), 2.6, false), col(l.s("在哪里修改", "Where to change it"), 2.2, false))
	at.Rows = [][]string{
		{l.s("微信支付接入的 12 家银行", "The 12 banks WeChat Pay binds"), l.s("最大的 12 家零售银行", "the 12 largest retail banks"), src},
		{l.s("各银行的借记卡份额", "Each bank's share of debit cards"),
			l.f("最大 12 家合计 %s，其余按排名的倒数分配；共 %d 家银行", "the 12 largest hold %s together, the rest in proportion to 1/rank; %d banks", pct(sumTop(b.Banks, 12)), len(b.Banks)), src},
		{l.s("除夕夜的时段", "Eve night"),
			l.f("%s 至 %s（北京时间）", "%s to %s CST", ri.Windows.EveNightStart.Format("2006-01-02 15:04"), ri.Windows.EveNightEnd.Format("01-02 15:04")),
			l.s("运行记录 run.json；没有时用 transform/facts 的 2014 窗口", "the run record run.json; without one, the 2014 windows of transform/facts")},
		{l.s("各支付场景的占比、支付宝事件量、绑卡与提现行为、假链接比例", "Scenario shares, Alipay volumes, binding and withdrawal behaviour, the rate of fake links"),
			l.s("模拟参数", "simulation parameters"), l.s("模拟器校准文件（hongbao demo --calibration）；场景表 refdata/scenarios.csv", "the simulator calibration (hongbao demo --calibration); scenario table refdata/scenarios.csv")},
	}
	doc.Table(at)
}

// sumTop is the share of the n largest banks (banks sorted largest first).
func sumTop(banks []Bank, n int) float64 {
	s := 0.0
	for i := 0; i < n && i < len(banks); i++ {
		s += banks[i].Share
	}
	return s
}
