package report

import (
	"context"
	"fmt"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/reports/chart"
)

// Providers, as the events name them.
const (
	wechatPay = "wechat_pay"
	alipay    = "alipay"
)

// AdoptionData holds payment adoption: new users of each provider (first
// successful card binding) over time, the WeChat Pay funnel from claim to
// withdrawal, and each provider's totals.
type AdoptionData struct {
	// Hours are the users with a bound card at the end of each hour, from the
	// first grab's hour to Day 1 16:00 (cumulative).
	Hours []Adopters `json:"hours"`
	// Days are the new users of each CST day (not cumulative).
	Days []Adopters `json:"days"`
	// Funnel is claim → bind attempt → bound → withdrawal, in distinct users,
	// for WeChat Pay.
	Funnel []FunnelStage `json:"funnel"`
	// Providers are the totals of WeChat Pay, then Alipay.
	Providers []ProviderStats `json:"providers"`
}

// Adopters counts users of each provider at a time (cumulative) or over a day.
type Adopters struct {
	T         time.Time `json:"t"`
	WeChatPay int64     `json:"wechat_pay"`
	Alipay    int64     `json:"alipay"`
}

// FunnelStage is one step of the funnel.
type FunnelStage struct {
	Stage string `json:"stage"` // claimed, bind_attempt, bound, withdrew
	Users int64  `json:"users"`
}

// ProviderStats are one provider's totals.
type ProviderStats struct {
	Provider      string `json:"provider"`
	BindAttempts  int64  `json:"bind_attempts"`
	BindOK        int64  `json:"bind_ok"`
	BindRejected  int64  `json:"bind_rejected"` // bank_not_supported
	BoundUsers    int64  `json:"bound_users"`
	Payments      int64  `json:"payments"`
	PaymentFen    int64  `json:"payment_fen"`
	Withdrawals   int64  `json:"withdrawals"`
	WithdrawalFen int64  `json:"withdrawal_fen"`
}

// adoptionData reads card_bindings, withdrawals and payments.
func adoptionData(ctx context.Context, src *source) (AdoptionData, error) {
	ri, db := src.run, src.db
	var err error
	var d AdoptionData

	// New users per hour: each user's first successful binding per provider.
	perHour := map[time.Time]*Adopters{}
	var first, last time.Time
	err = eachRow(ctx, db, reportSQL.Query("new_payment_users"), func(scan func(...any) error) error {
		var t time.Time
		var provider string
		var n int64
		if err := scan(&t, &provider, &n); err != nil {
			return err
		}
		t = wall(t)
		a := perHour[t]
		if a == nil {
			a = &Adopters{T: t}
			perHour[t] = a
		}
		switch provider {
		case wechatPay:
			a.WeChatPay += n
		case alipay:
			a.Alipay += n
		}
		if t.After(last) {
			last = t
		}
		if first.IsZero() || t.Before(first) {
			first = t
		}
		return nil
	})
	if err != nil {
		return d, fmt.Errorf("new payment users: %w", err)
	}
	from := ri.First.Truncate(time.Hour)
	if !first.IsZero() && first.Before(from) {
		from = first
	}
	to := ri.Windows.End
	if !last.Before(to) {
		to = last.Add(time.Hour)
	}
	// A run record whose end lies far past the data (edited by hand: years 9000) is
	// drawn no further than the data, or a run's longest span after its start.
	if limit := latest(last.Add(time.Hour), from.Add(datadir.MaxWindow)); to.After(limit) {
		to = limit
	}
	var cum Adopters
	for t := from; t.Before(to); t = t.Add(time.Hour) {
		if n := len(d.Days); n == 0 || !sameDay(d.Days[n-1].T, t) {
			d.Days = append(d.Days, Adopters{T: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())})
		}
		if a := perHour[t]; a != nil {
			day := &d.Days[len(d.Days)-1]
			day.WeChatPay += a.WeChatPay
			day.Alipay += a.Alipay
			cum.WeChatPay += a.WeChatPay
			cum.Alipay += a.Alipay
		}
		d.Hours = append(d.Hours, Adopters{T: t.Add(time.Hour), WeChatPay: cum.WeChatPay, Alipay: cum.Alipay})
	}

	// The funnel follows claimers only, so each stage is a subset of the one before.
	d.Funnel = make([]FunnelStage, 4)
	err = db.QueryRowContext(ctx, reportSQL.Query("funnel")).
		Scan(&d.Funnel[0].Users, &d.Funnel[1].Users, &d.Funnel[2].Users, &d.Funnel[3].Users)
	if err != nil {
		return d, fmt.Errorf("adoption funnel: %w", err)
	}
	for i, s := range []string{"claimed", "bind_attempt", "bound", "withdrew"} {
		d.Funnel[i].Stage = s
	}

	d.Providers = []ProviderStats{{Provider: wechatPay}, {Provider: alipay}}
	err = scanProviders(ctx, db, reportSQL.Query("provider_totals"), d.Providers, func(ps *ProviderStats) []any {
		return []any{&ps.Provider, &ps.BindAttempts, &ps.BindOK, &ps.BindRejected, &ps.BoundUsers,
			&ps.Payments, &ps.PaymentFen, &ps.Withdrawals, &ps.WithdrawalFen}
	})
	if err != nil {
		return d, fmt.Errorf("provider totals: %w", err)
	}
	return d, nil
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// funnelNames name the funnel stages.
var funnelNames = map[string][2]string{
	"claimed":      {"领取过红包", "Claimed an envelope"},
	"bind_attempt": {"尝试绑定银行卡", "Tried to bind a card"},
	"bound":        {"绑卡成功", "Bound a card"},
	"withdrew":     {"提现到银行卡", "Withdrew to the card"},
}

// adoption renders section 3: payment adoption.
func (p *part) adoption() {
	l, d, ri, doc := p.l, p.d.Adoption, p.d.Method.Run, p.doc
	doc.PageBreak()
	doc.Heading(1, l.Pick("三、支付普及：微信支付与支付宝", "3 Payment adoption: WeChat Pay and Alipay"))
	wp, ap := byProvider(d.Providers)
	doc.Paragraph(l.Sprintf("要把红包里的钱提现，必须绑定银行卡、开通微信支付（%s）。数据中有 %s 位用户首次成功绑卡、成为微信支付新用户，%s 位用户绑定了支付宝（计算值）。"+
		"支付宝的事件量是模拟参数（假设值），不是文章的数字。",
		"Withdrawing envelope money needs a bank card bound to WeChat Pay (%s). In the data %s users bound a card to WeChat Pay for the first time, becoming new WeChat Pay users, and %s bound one to Alipay (computed). "+
			"Alipay's event volumes are a simulation parameter (assumed), not a figure from the article.",
		p.reported(), locale.Int(wp.BoundUsers), locale.Int(ap.BoundUsers)))

	ts, wc, ac := columns(d.Hours, func(h Adopters) (time.Time, float64, float64) {
		return h.T, float64(h.WeChatPay), float64(h.Alipay)
	})
	if len(ts) > 0 {
		p.chart("adoption-cumulative", &chart.Line{
			Title:  l.Pick("累计支付新用户（首次成功绑卡）", "New payment users, cumulative (first successful card binding)"),
			XLabel: l.Pick("北京时间（2014年1月26日至31日）", "China Standard Time (2014-01-26 to 01-31)"),
			YLabel: l.Pick("累计用户（人）", "users (cumulative)"),
			Source: p.sourceComputed(ri, l.Pick("支付宝的事件量为模拟假设", "Alipay volumes are a simulation assumption")),
			Series: []chart.Series{
				{Name: p.provider(wechatPay), T: ts, Y: wc, Color: providerColor(wechatPay)},
				{Name: p.provider(alipay), T: ts, Y: ac, Color: providerColor(alipay)},
			},
		}, 8*vg.Centimeter)
	}
	days, wd, ad := columns(d.Days, func(a Adopters) (string, float64, float64) {
		return p.dayLabel(a.T), float64(a.WeChatPay), float64(a.Alipay)
	})
	if len(days) > 0 {
		p.chart("adoption-daily", &chart.Bar{
			Title:      l.Pick("每天的支付新用户", "New payment users per day"),
			YLabel:     l.Pick("新用户（人）", "new users"),
			Source:     p.sourceComputed(ri),
			Categories: days,
			Groups: []chart.BarGroup{
				{Name: p.provider(wechatPay), Values: wd, Color: providerColor(wechatPay)},
				{Name: p.provider(alipay), Values: ad, Color: providerColor(alipay)},
			},
			ValueLabels: true,
		}, 8*vg.Centimeter)
	}
	doc.Note(l.Pick("每位用户第一次成功绑卡的时刻算作成为该平台新用户的时刻（计算值）。",
		"A user becomes a new user of a provider at their first successful card binding (computed)."))

	doc.PageBreak()
	doc.Heading(2, l.Pick("从领取到提现", "From claim to withdrawal"))
	var cats []string
	var vals []float64
	for i, s := range d.Funnel {
		name := l.Pick(funnelNames[s.Stage][0], funnelNames[s.Stage][1])
		if i > 0 {
			name += l.Sprintf("\n上一步的 %s", "\n%s of the step before", pct(share(float64(s.Users), float64(d.Funnel[i-1].Users))))
		}
		cats = append(cats, name)
		vals = append(vals, float64(s.Users))
	}
	p.chart("adoption-funnel", &chart.Bar{
		Title:       l.Pick("微信支付漏斗：领取 → 绑卡尝试 → 绑卡成功 → 提现", "WeChat Pay funnel: claim → bind attempt → bound → withdrawal"),
		YLabel:      l.Pick("用户（人）", "users"),
		Source:      p.sourceComputed(ri),
		Categories:  cats,
		Groups:      []chart.BarGroup{{Values: vals, Color: providerColor(wechatPay)}},
		ValueLabels: true,
	}, 8*vg.Centimeter)
	doc.Note(l.Pick("漏斗只跟随领取过红包的用户：每一步都是上一步的子集（计算值）。",
		"The funnel follows the users who claimed an envelope: each step is a subset of the one before (computed)."))

	doc.Heading(2, l.Pick("微信支付与支付宝", "WeChat Pay and Alipay"))
	t := table(col(l.Pick("指标（计算值）", "Measure (computed)"), 3, false), col(p.provider(wechatPay), 1.5, true), col(p.provider(alipay), 1.5, true))
	for _, r := range []struct {
		zh, en string
		get    func(ProviderStats) string
	}{
		{"绑卡尝试", "card binding attempts", func(s ProviderStats) string { return locale.Int(s.BindAttempts) }},
		{"绑卡成功", "successful bindings", func(s ProviderStats) string { return locale.Int(s.BindOK) }},
		{"因银行不支持而失败", "refused: bank not supported", func(s ProviderStats) string { return locale.Int(s.BindRejected) }},
		{"绑卡用户", "users with a bound card", func(s ProviderStats) string { return locale.Int(s.BoundUsers) }},
		{"支付笔数", "payments", func(s ProviderStats) string { return locale.Int(s.Payments) }},
		{"支付金额（元）", "payment amount (yuan)", func(s ProviderStats) string { return yuan(float64(s.PaymentFen)) }},
		{"提现笔数", "withdrawals", func(s ProviderStats) string { return locale.Int(s.Withdrawals) }},
		{"提现金额（元）", "withdrawn (yuan)", func(s ProviderStats) string { return yuan(float64(s.WithdrawalFen)) }},
	} {
		t.Rows = append(t.Rows, []string{l.Pick(r.zh, r.en), r.get(wp), r.get(ap)})
	}
	doc.Table(t)
	doc.Note(l.Pick("所有数字均为计算值。支付宝的事件量、支付笔数与金额由模拟参数决定（假设值），只用于与微信支付的形状比较，不代表 2014 年的实际规模。",
		"All figures are computed. Alipay's event volumes, payment counts and amounts follow simulation parameters (assumed): compare their shape with WeChat Pay's, not their size with 2014."))
}
