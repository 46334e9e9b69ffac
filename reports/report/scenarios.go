package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/refdata"
	"github.com/hongbao/hongbao/reports/chart"
)

// ScenarioData holds the payment scenarios of each provider and the
// mobile-payment market.
type ScenarioData struct {
	// ReportedWeChatPay is the article's "about ten" WeChat Pay scenarios.
	ReportedWeChatPay float64 `json:"reported_wechat_pay"`
	// Scenarios are every scenario of the reference table or the payments,
	// WeChat Pay first, each provider's by payments, most first.
	Scenarios []Scenario `json:"scenarios"`
	// Market is the mobile-payment market by year, as reported.
	Market []MarketYear `json:"market"`
}

// Scenario is one provider's payment scenario.
type Scenario struct {
	Provider string `json:"provider"`
	Code     string `json:"code"`
	NameZH   string `json:"name_zh"` // the code when the reference table lacks it
	NameEN   string `json:"name_en"`
	// Source is "reported" for scenarios the article names, "assumed" for
	// the others, "data" for a scenario found only in the payments.
	Source string `json:"source"`
	// Weight is the assumed share of the provider's payments (reference table).
	Weight float64 `json:"weight"`
	// Payments and Fen are computed from the payments; Share is Payments
	// over the provider's payments.
	Payments int64   `json:"payments"`
	Fen      int64   `json:"fen"`
	Share    float64 `json:"share"`
}

// MarketYear is one year of China's mobile payments, as reported.
type MarketYear struct {
	Year         int     `json:"year"`
	Transactions float64 `json:"transactions"` // 0 when not reported
	AmountYuan   float64 `json:"amount_yuan"`
	Forecast     bool    `json:"forecast"`
	Bound        string  `json:"bound"`
}

// Count returns the number of scenarios of provider.
func (d ScenarioData) Count(provider string) int {
	n := 0
	for _, s := range d.Scenarios {
		if s.Provider == provider {
			n++
		}
	}
	return n
}

// scenarioData reads the payments by provider and scenario.
func scenarioData(ctx context.Context, src *source) (ScenarioData, error) {
	db := src.db
	var d ScenarioData
	f, err := lookupFact("wechat_pay_scenarios")
	if err != nil {
		return d, err
	}
	d.ReportedWeChatPay = f.Value
	type key struct{ provider, code string }
	idx := map[key]int{}
	for _, r := range refScenarios() {
		idx[key{r.Provider, r.Code}] = len(d.Scenarios)
		d.Scenarios = append(d.Scenarios, Scenario{Provider: r.Provider, Code: r.Code, NameZH: r.NameZH, NameEN: r.NameEN, Source: r.Source, Weight: r.Weight})
	}
	totals := map[string]int64{}
	err = eachRow(ctx, db, reportSQL.Query("payments_by_scenario"), func(scan func(...any) error) error {
		var k key
		var n, fen int64
		if err := scan(&k.provider, &k.code, &n, &fen); err != nil {
			return err
		}
		i, ok := idx[k]
		if !ok {
			i = len(d.Scenarios)
			idx[k] = i
			d.Scenarios = append(d.Scenarios, Scenario{Provider: k.provider, Code: k.code, NameZH: k.code, NameEN: k.code, Source: "data"})
		}
		d.Scenarios[i].Payments += n
		d.Scenarios[i].Fen += fen
		totals[k.provider] += n
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("payments by scenario: %w", err)
	}
	for i := range d.Scenarios {
		d.Scenarios[i].Share = share(float64(d.Scenarios[i].Payments), float64(totals[d.Scenarios[i].Provider]))
	}
	rank := func(p string) int {
		switch p {
		case wechatPay:
			return 0
		case alipay:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(d.Scenarios, func(a, b Scenario) int { // the most payments first
		return cmp.Or(cmp.Compare(rank(a.Provider), rank(b.Provider)), strings.Compare(a.Provider, b.Provider),
			cmp.Compare(b.Payments, a.Payments), cmp.Compare(b.Weight, a.Weight))
	})
	d.Market = refMarket()
	return d, nil
}

// maxScenarioBars is the most bars a provider's scenario chart draws: the scenarios
// past the 14 with the most payments (codes only the data knows, say) share the last.
const maxScenarioBars = 15

// scenarios renders section 5: payment scenarios and the market.
func (p *part) scenarios() {
	l, d, ri, doc := p.l, p.d.Scenarios, p.d.Method.Run, p.doc
	doc.PageBreak()
	doc.Heading(1, l.Pick("五、支付场景与移动支付市场", "5 Payment scenarios and the mobile-payment market"))
	named := map[string][]string{}
	for _, s := range d.Scenarios {
		if s.Source == "reported" {
			named[s.Provider] = append(named[s.Provider], p.ref(s.NameZH, s.NameEN))
		}
	}
	sep := l.Pick("、", ", ")
	text := l.Sprintf("微信支付约有 %s 个支付场景（%s），参考表列出 %d 个，其中 %d 个是文章点名的：%s。",
		"WeChat Pay had about %s payment scenarios (%s); the reference table lists %d, %d of them named in the article: %s.",
		locale.Number(d.ReportedWeChatPay), p.reported(), d.Count(wechatPay), len(named[wechatPay]), strings.Join(named[wechatPay], sep))
	if n := len(named[alipay]); n > 0 {
		text += l.Sprintf("支付宝列出 %d 个，文章提到其中 %d 个：%s；其余为假设。", " For Alipay it lists %d, %d of them in the article: %s; the rest are assumed.",
			d.Count(alipay), n, strings.Join(named[alipay], sep))
	} else {
		text += l.Sprintf("文章没有列出支付宝的场景，参考表假设了 %d 个。", " The article lists no Alipay scenarios; the table assumes %d.", d.Count(alipay))
	}
	text += l.Pick("各场景的支付占比是模拟参数（假设值）；图中的占比是事件数据中的实际分布（计算值），* 为文章点名的场景。",
		" Each scenario's share of payments is a simulation parameter (assumed); the charts show the shares found in the event data (computed); * marks the scenarios the article names.")
	doc.Paragraph(text)

	for _, prov := range []string{wechatPay, alipay} {
		var names []string
		var shares []float64 // as a share of 1; the chart shows percent
		for _, s := range d.Scenarios {
			if s.Provider != prov {
				continue
			}
			name := p.ref(s.NameZH, shortName(s.NameEN))
			switch s.Source {
			case "reported":
				name += "*"
			case "data":
				name = p.data(s.Code)
			}
			names = append(names, name)
			shares = append(shares, s.Share)
		}
		n := len(names)
		if n == 0 {
			continue
		}
		if n > maxScenarioBars {
			rest := 0.0
			for _, sh := range shares[maxScenarioBars-1:] {
				rest += sh
			}
			names = append(names[:maxScenarioBars-1], l.Sprintf("其他 %d 个", "%d others", n-maxScenarioBars+1))
			shares = append(shares[:maxScenarioBars-1], rest)
		}
		for i := range shares {
			shares[i] = round1(100 * shares[i])
		}
		p.chart("scenarios-"+strings.ReplaceAll(prov, "_", ""), &chart.Bar{
			Title:       l.Sprintf("%s：各支付场景占支付笔数的比例（%d 个场景）", "%s: share of payments by scenario (%d scenarios)", p.provider(prov), n),
			YLabel:      l.Pick("占支付笔数（%）", "share of payments (%)"),
			Source:      p.sourceComputed(ri, l.Pick("* 为文章点名的场景（报道值）；场景权重为模拟参数（假设值）", "* named in the article (reported); scenario weights are simulation parameters (assumed)")),
			Categories:  names,
			Groups:      []chart.BarGroup{{Values: shares, Color: providerColor(prov)}},
			ValueLabels: true,
			Format:      percentFormat,
		}, 7.5*vg.Centimeter)
	}

	doc.PageBreak()
	doc.Heading(2, l.Pick("移动支付市场，2012 → 2013", "The mobile-payment market, 2012 → 2013"))
	doc.Paragraph(l.Pick("文章称 2012 年中国处理移动支付业务 21.13 亿笔、金额 1811.94 亿元；2013 年移动支付市场规模预计超过 8000 亿元（均为报道值）。其他记录为这些数字定位：1811.94 亿元是中国支付清算协会统计的非银行支付机构的金额，银行处理的更多；8000 亿元是预测，实际估计更高（见下表，均为报道值）。",
		"The article has China processing 2.113 billion mobile payments worth 181.194 billion yuan in 2012, and the 2013 market forecast at over 800 billion yuan (all reported). Other records place these figures: the 181.194 billion is the Payments & Clearing Association's count of non-bank payment institutions, banks processed far more; the 800 billion was a forecast, and the estimates of the outturn are higher (table below, all reported)."))
	// Chinese counts money in 亿 (1e8), English in billions.
	unit, div := l.Pick("亿元", "billion yuan"), 1e8
	if l == English {
		div = 1e9
	}
	var years []string
	var amounts []float64
	t := table(col(l.Pick("指标", "Figure"), 3, false), col(l.Pick("数值", "Value"), 2, true), col(l.Pick("类别", "Kind"), 2.2, false))
	for _, m := range d.Market {
		y := strconv.Itoa(m.Year)
		if m.Forecast {
			y += l.Pick("（预测）", " (forecast)")
		}
		if m.AmountYuan > 0 {
			years = append(years, y)
			amounts = append(amounts, m.AmountYuan/div)
			t.Rows = append(t.Rows, []string{l.Sprintf("%s 移动支付金额（元）", "Mobile payments %s, amount (yuan)", y), bound(m.Bound) + locale.Number(m.AmountYuan), p.reported()})
		}
		if m.Transactions > 0 {
			t.Rows = append(t.Rows, []string{l.Sprintf("%s 移动支付笔数", "Mobile payments %s, transactions", y), locale.Number(m.Transactions), p.reported()})
		}
	}
	if len(years) > 0 {
		p.chart("market", &chart.Bar{
			Title:       l.Pick("中国移动支付金额：2012 年与 2013 年预测", "China's mobile payments: 2012 and the 2013 forecast"),
			YLabel:      l.Sprintf("金额（%s）", "amount (%s)", unit),
			Source:      l.Pick("来源：", "Source: ") + p.reported() + l.Pick("。2013 年为预测值（“超过”）。", ". 2013 is a forecast (\"more than\")."),
			Categories:  years,
			Groups:      []chart.BarGroup{{Values: amounts, Color: chart.Palette[2]}},
			ValueLabels: true,
		}, 8*vg.Centimeter)
	}
	doc.Table(t)
	p.marketRecords()
}

// marketRecords lists what other records say of the article's market figures, each
// labelled reported, with where it was found.
func (p *part) marketRecords() {
	l, doc := p.l, p.doc
	t := table(col(l.Pick("文章的数字", "Article's figure"), 1.8, false), col(l.Pick("其他记录（报道值）", "Other record (reported)"), 2.6, false),
		col(l.Pick("来源", "Source"), 2.2, false), col(l.Pick("说明", "What it means"), 2.6, false))
	for _, f := range refdata.Facts() {
		if f.Kind != refdata.KindMarket {
			continue
		}
		for _, rc := range f.Corroboration {
			src := rc.Source
			if !strings.Contains(src, rc.Date) {
				src += " (" + rc.Date + ")"
			}
			t.Rows = append(t.Rows, []string{p.ref(f.TitleZH, f.TitleEN) + " " + f.Display, p.ref(rc.Value, rc.Value),
				p.ref(src, src), p.ref(rc.NoteZH, rc.Note)})
		}
	}
	if len(t.Rows) > 0 {
		doc.Table(t)
	}
}

// shortName drops a trailing parenthesis from a name, for chart categories:
// "Licaitong (wealth management)" → "Licaitong".
func shortName(s string) string {
	if i := strings.Index(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		return s[:i]
	}
	return s
}
