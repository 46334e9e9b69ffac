package report

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/reports/chart"
	"github.com/hongbao/hongbao/transform/facts"
)

// HeadlineData holds the headline figures, each computed from the events and
// set beside the article's reported value. The figures come from the facts
// sheet (transform/facts), which defines each one's query and verdict.
type HeadlineData struct {
	Scale float64          `json:"scale"`
	Rows  []HeadlineFigure `json:"rows"`
	// PeakMinute is the busiest minute by claims.
	PeakMinute time.Time `json:"peak_minute"`
	// Warning is the facts sheet's, in Chinese and English: the data has no grab in the
	// windows it is judged by (facts.Sheet.Warning); empty when it has.
	Warning [2]string `json:"warning,omitzero"`
}

// HeadlineFigure is one reproduced figure.
type HeadlineFigure struct {
	ID       string  `json:"id"`       // facts registry id
	Computed float64 `json:"computed"` // from the events
	Reported float64 `json:"reported"` // the article's value, at scale 1
	Bound    string  `json:"bound"`    // "=", ">" or "~"
	// Scaling is "count" for counts, compared with Expected = Reported ×
	// scale; "model" for the record grabber, whose Expected is the
	// simulator's for this scale (Reported without a run record); "none"
	// for means, compared with Reported.
	Scaling  string  `json:"scaling"`
	Expected float64 `json:"expected"`
	// Verdict is the facts sheet's: reproduced or not_reproduced.
	Verdict string `json:"verdict"`
	// NoData is set when the events hold nothing to compute the figure from (no
	// envelope before the end of Eve night, say); Computed is then 0 and not shown.
	NoData bool `json:"no_data,omitempty"`
}

// computed returns the computed value of figure id, 0 if absent.
func (d HeadlineData) computed(id string) float64 {
	for _, r := range d.Rows {
		if r.ID == id {
			return r.Computed
		}
	}
	return 0
}

// Ratio is Computed / Expected.
func (h HeadlineFigure) Ratio() float64 { return share(h.Computed, h.Expected) }

// headlineIDs are the headline figures: participants, claims, the peak
// minute, the mean envelope and the heaviest grabber.
var headlineIDs = []string{"eve_participants", "users_eve_to_day1", "grabs_total", "claims_per_minute_avg",
	"peak_opens_per_minute", "first5min_participations", "avg_envelope_yuan", "max_claims_one_user"}

// headlineData reproduces the headline figures with the facts sheet.
func headlineData(ctx context.Context, src *source) (HeadlineData, error) {
	d := HeadlineData{Scale: src.run.Scale}
	sheet := src.facts.Sheet("en")
	d.Warning = [2]string{src.facts.Sheet("zh").Warning, sheet.Warning}
	byID := map[string]facts.Result{}
	for _, r := range sheet.Results {
		byID[r.ID] = r
	}
	for _, id := range headlineIDs {
		r, ok := byID[id]
		if !ok {
			return d, fmt.Errorf("the facts sheet has no figure %q", id)
		}
		if r.Error != "" {
			return d, fmt.Errorf("facts sheet, figure %s: %s", id, r.Error)
		}
		f, err := lookupFact(id)
		if err != nil {
			return d, err
		}
		h := HeadlineFigure{ID: id, Reported: r.Value, Bound: f.Bound, Scaling: r.Scaling, Expected: r.Expected,
			Verdict: string(r.Verdict), NoData: r.Computed == nil}
		if r.Computed != nil {
			h.Computed = *r.Computed
		}
		d.Rows = append(d.Rows, h)
	}
	peak, err := busiestMinute(ctx, src.db)
	if err != nil {
		return d, err
	}
	d.PeakMinute = peak.T
	return d, nil
}

// headline renders section 1: the headline figures beside the reported ones.
func (p *part) headline() {
	l, d, ri, doc := p.l, p.d.Headline, p.d.Method.Run, p.doc
	doc.Heading(1, l.Pick("一、主要数字", "1 Headline figures"))
	if w := l.Pick(d.Warning[0], d.Warning[1]); w != "" {
		doc.Note(l.Pick("注意：", "Warning: ") + w + l.Pick("。", "."))
	}
	doc.Paragraph(l.Sprintf("仓库中的事件从 %s 到 %s（北京时间），共 %s 次成功领取，相当于 2014 年春节的 %s 倍规模（规模来自%s）。"+
		"下表把每个计算值与文章的报道值并列：人数与次数按规模换算后比较，平均值不换算，纪录用户见表下说明。",
		"The events in the warehouse run from %s to %s CST and hold %s successful claims: the 2014 festival at scale %s (from %s). "+
			"The table sets each computed figure beside the article's reported one: counts are compared with the reported value × scale, means as they are; the record grabber is explained below the table.",
		ri.First.Format("2006-01-02 15:04"), ri.Last.Format("2006-01-02 15:04"), locale.Int(ri.Claims), sig(ri.Scale, 4), p.scaleSource(ri)))

	t := table(
		col(l.Pick("指标", "Figure"), 2.7, false),
		col(l.Pick("计算值", "Computed"), 1.3, true),
		col(l.Pick("报道值", "Reported"), 1.5, true),
		col(l.Pick("期望值（报道值 × 规模）", "Expected (reported × scale)"), 1.7, true),
		col(l.Pick("计算 ÷ 期望", "Computed ÷ expected"), 1.2, true),
		col(l.Pick("结论", "Verdict"), 1.2, false))
	var cats []string
	var ratios []float64
	for _, r := range d.Rows {
		f := mustFact(r.ID)
		name := p.ref(f.TitleZH, f.TitleEN)
		if r.ID == "peak_opens_per_minute" {
			name += l.Sprintf("（%s）", " (%s)", d.PeakMinute.Format("01-02 15:04"))
		}
		expected, ratio, computed := bound(r.Bound)+val(r.Expected), pct(r.Ratio()), val(r.Computed)
		comparable := r.Scaling != "model" || ri.ScaleSource == "run.json"
		if r.NoData {
			computed, ratio = l.Pick("无数据", "no data"), "—"
		}
		switch {
		case !comparable:
			expected, ratio = "—", "—"
		case r.Scaling == "none":
			expected += l.Pick("（不换算）", " (not scaled)")
		case r.Scaling == "model":
			expected += l.Pick("（模型）", " (model)")
		}
		t.Rows = append(t.Rows, []string{name, computed, p.ref(f.DisplayZH, f.Display), expected, ratio, p.verdict(r.Verdict)})
		if comparable && !r.NoData {
			cats = append(cats, l.Pick(cmp.Or(f.LabelZH, f.TitleZH), cmp.Or(f.LabelEN, f.TitleEN)))
			ratios = append(ratios, math.Round(1000*r.Ratio())/10)
		}
	}
	doc.Table(t)
	note := l.Sprintf("计算值来自事件数据；报道值为%s；期望值是报道值按本次数据规模 %s 换算后的值，结论按 hongbao facts 的容差判断。"+
		"抢得最多的用户不随规模线性变化：有运行记录（run.json）时与模拟器在该规模下的期望值比较，否则不比较。",
		"Computed: from the event data. Reported: %s. Expected: the reported figure at this run's scale of %s; the verdict uses the tolerances of hongbao facts. "+
			"The heaviest grabber does not scale linearly: it is compared with the simulator's expectation at this scale when a run record (run.json) gives one, and not compared otherwise.",
		p.reported(), sig(ri.Scale, 4))
	if ri.ScaleSource != "run.json" {
		note += l.Pick("没有运行记录：规模由领取次数读出，所以领取总次数必然与期望值一致，不算再现。",
			" No run record: the scale is read from the claims, so total claims match the expected value by construction and do not count as reproduced.")
	}
	doc.Note(note)
	p.chart("headline", &chart.Bar{
		Title:       l.Pick("计算值占期望值的百分比（100% = 与报道一致）", "Computed figures as a share of the expected ones (100% = as reported)"),
		YLabel:      l.Pick("计算值 ÷ 期望值（%）", "computed ÷ expected (%)"),
		Source:      p.sourceComputed(ri, l.Pick("期望值：", "expected: ")+p.reported()+l.Pick("，按规模换算", " × scale")),
		Categories:  cats,
		Groups:      []chart.BarGroup{{Values: ratios, Color: chart.Palette[0]}},
		ValueLabels: true,
		Format:      percentFormat,
	}, 7.5*vg.Centimeter)
}

// scaleSource says where the scale was read.
func (p *part) scaleSource(ri RunInfo) string {
	if ri.ScaleSource == "run.json" {
		return p.l.Pick("模拟器留下的运行记录 run.json", "the simulator's run record, run.json")
	}
	return p.l.Pick("数据：领取次数 ÷ 75,000,000", "the data: claims ÷ 75,000,000")
}
