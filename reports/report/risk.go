package report

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/reports/chart"
)

// RiskData holds the fake-envelope links seen in the data and the reported
// P2P platform crises.
type RiskData struct {
	// Links counts link_shared events: links posing as envelopes.
	Links int64 `json:"links"`
	// OffWeChat counts links whose host is not a WeChat or Tenpay domain.
	OffWeChat int64 `json:"off_wechat"`
	Hosts     int64 `json:"hosts"`   // distinct hosts
	Sharers   int64 `json:"sharers"` // distinct users who shared one
	Chats     int64 `json:"chats"`   // distinct chats reached
	// Envelopes counts envelopes sent, the base of PerThousand.
	Envelopes int64 `json:"envelopes"`
	// PerThousand is links per 1,000 envelopes sent.
	PerThousand float64 `json:"per_thousand"`
	// Days are the links of each CST day from the first grab's day to the
	// last's (zero where none).
	Days []DayCount `json:"days"`
	// ReportedP2PCrises is the article's 4 lending platforms in a payment crisis.
	ReportedP2PCrises float64 `json:"reported_p2p_crises"`
}

// DayCount is a count for one China Standard Time day.
type DayCount struct {
	Day time.Time `json:"day"`
	N   int64     `json:"n"`
}

// wechatHosts matches the hosts real envelopes and payments use.
const wechatHosts = `'(^|\.)(weixin\.qq\.com|wx\.qq\.com|qq\.com|tenpay\.com|wechat\.com)$'`

// riskData reads the links table.
func riskData(ctx context.Context, db *sql.DB, ri RunInfo) (RiskData, error) {
	var d RiskData
	err := db.QueryRowContext(ctx, `WITH l AS (SELECT *, lower(regexp_extract(url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/:?#]+)', 1)) AS host FROM links)
		SELECT count(*), count(*) FILTER (WHERE NOT regexp_matches(host, `+wechatHosts+`)),
			count(DISTINCT host), count(DISTINCT user_id), count(DISTINCT chat_id),
			(SELECT count(*) FROM envelopes) FROM l`).
		Scan(&d.Links, &d.OffWeChat, &d.Hosts, &d.Sharers, &d.Chats, &d.Envelopes)
	if err != nil {
		return d, fmt.Errorf("fake-envelope links: %w", err)
	}
	d.PerThousand = 1000 * share(float64(d.Links), float64(d.Envelopes))
	rows, err := db.QueryContext(ctx, `SELECT `+localDay("ts")+` AS day, count(*) FROM links GROUP BY day ORDER BY day`)
	if err != nil {
		return d, fmt.Errorf("links per day: %w", err)
	}
	defer rows.Close()
	perDay := map[time.Time]int64{}
	first, last := day(ri.First), day(ri.Last)
	for rows.Next() {
		var t time.Time
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			return d, fmt.Errorf("links per day: %w", err)
		}
		t = wall(t)
		perDay[t] = n
		if t.Before(first) {
			first = t
		}
		if t.After(last) {
			last = t
		}
	}
	if err := rows.Err(); err != nil {
		return d, fmt.Errorf("links per day: %w", err)
	}
	for t := first; !t.After(last); t = t.AddDate(0, 0, 1) {
		d.Days = append(d.Days, DayCount{Day: t, N: perDay[t]})
	}
	f, err := lookupFact("p2p_platform_crises")
	if err != nil {
		return d, err
	}
	d.ReportedP2PCrises = f.Value
	return d, nil
}

// day is the start of t's China Standard Time day.
func day(t time.Time) time.Time {
	t = t.In(chart.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, chart.Shanghai)
}

// risk renders section 6: fake-envelope links and the P2P crises.
func (p *part) risk() {
	l, d, ri, doc := p.l, p.d.Risk, p.d.Method.Run, p.doc
	doc.PageBreak()
	doc.Heading(1, l.s("六、风险：假红包链接与网贷平台危机", "6 Risk: fake envelope links and P2P platform crises"))
	doc.Paragraph(l.f("文章提醒，有人在微信中炮制假冒的红包链接（%s）。事件数据中有 %s 条冒充红包的链接，由 %s 位用户分享到 %s 个聊天中，"+
		"每 1,000 个红包约 %s 条；其中 %s 条指向微信与财付通以外的域名，共 %s 个不同的域名（计算值）。假链接的比例是模拟参数（假设值），不是文章的数字。",
		"The article warns of fake red-envelope links made up inside WeChat (%s). The event data hold %s links posing as envelopes, shared by %s users into %s chats, "+
			"about %s per 1,000 envelopes sent; %s of them point outside WeChat's and Tenpay's domains, at %s distinct hosts (computed). The rate of fake links is a simulation parameter (assumed), not an article figure.",
		l.reported(), inum(d.Links), inum(d.Sharers), inum(d.Chats), sig(d.PerThousand, 3), inum(d.OffWeChat), inum(d.Hosts)))
	var days []string
	var counts []float64
	for _, c := range d.Days {
		days = append(days, p.dayLabel(c.Day))
		counts = append(counts, float64(c.N))
	}
	if len(days) > 0 && d.Links > 0 {
		p.chart("risk-links", &chart.Bar{
			Title:       l.s("每天分享的假红包链接", "Fake envelope links shared per day"),
			YLabel:      l.s("链接（条）", "links"),
			Source:      l.sourceComputed(ri, l.s("假链接比例为模拟参数（假设值）", "the rate of fake links is a simulation parameter (assumed)")),
			Categories:  days,
			Groups:      []chart.BarGroup{{Values: counts, Color: chart.Palette[5]}},
			ValueLabels: true,
		}, 8*vg.Centimeter)
	}
	doc.Paragraph(l.f("同一时期，有 %s 家网贷平台被爆出支付危机（%s）。事件数据中没有网贷数据，这一数字只作为背景：用户绑卡、提现与支付的意愿，取决于对资金安全的信任。",
		"In the same days %s P2P lending platforms were reported in a payment crisis (%s). The events hold no P2P data, so this figure is context only: users' willingness to bind cards, withdraw and pay rests on trust that their money is safe.",
		num(d.ReportedP2PCrises), l.reported()))
}
