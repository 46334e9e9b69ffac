package facts

import (
	"embed"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/sqlfile"
)

// scaling says how a figure relates to the scale of a run.
type scaling int

const (
	scaleCount scaling = iota // counts (and counts per minute) scale with the run
	scaleNone                 // means, dates, bank and scenario counts stay
	scaleModel                // a maximum: the simulator's model gives its value at a scale
)

// spec is how hongbao reproduces one figure: a query returning one row whose first
// column is the computed value (and, for some, a second column that must be true).
type spec struct {
	query     string
	scaling   scaling
	tolerance float64 // relative; 0 means the value must match exactly
	// check, when set, turns the computed value into a verdict itself (for figures
	// that are ranges or rules rather than numbers).
	check func(v float64, extra bool, r Result) bool
	// noteEN / noteZH explain the reading, shown beside the figure.
	noteEN, noteZH string
}

// queries holds the SQL of every figure and consistency check, one file each, named
// after the figure. Placeholders such as {end} stand for the run's windows (render).
//
//go:embed queries/*.sql
var queryFiles embed.FS

var queries = sqlfile.MustLoad(queryFiles, "queries/*.sql")

// specs holds the event-level figures; every other registry entry is not derivable.
var specs = map[string]spec{
	"launch_date": {
		query:   queries.Query("launch_date"),
		scaling: scaleNone,
		noteEN:  "the local date of the first envelope in the data",
		noteZH:  "数据中第一个红包的本地日期",
	},
	"grabs_total": {
		query:   queries.Query("grabs_total"),
		scaling: scaleCount, tolerance: 0.02,
		noteEN: "grab attempts, claims and misses alike, Eve 00:00 to Day 1 16:00 (reading B, consistency note 1)",
		noteZH: "除夕00:00至初一16:00的抢红包尝试，含成功与落空（解读B，一致性说明1）",
	},
	"claims_per_minute_avg": {
		query:   queries.Query("claims_per_minute_avg"),
		scaling: scaleCount, tolerance: 0.01,
		noteEN: "claims of the figures' window divided by its minutes (reading B: Eve 00:00 to Day 1 16:00, 2,400 minutes; A: since launch)",
		noteZH: "数字所对应窗口的领取次数除以其分钟数（解读B：除夕00:00至初一16:00，2,400分钟；解读A：上线以来）",
	},
	"claims_per_minute_avg_rounded": {
		query:   queries.Query("claims_per_minute_avg"),
		scaling: scaleCount,
		check:   func(v float64, _ bool, r Result) bool { return v > r.Expected },
		noteEN:  "the same average; the article rounds it to 'more than 9,000'",
		noteZH:  "同一平均值，文章开头取整为“9000多个”",
	},
	"peak_opens_per_minute": {
		query:   queries.Query("peak_opens_per_minute"),
		scaling: scaleCount, tolerance: 0.02,
		noteEN: "claims in the minute 00:00 of Day 1, which must also be the busiest minute",
		noteZH: "初一00:00这一分钟的领取数，且须是最忙的一分钟",
	},
	"first5min_participations": {
		query:   queries.Query("first5min_participations"),
		scaling: scaleCount, tolerance: 0.02,
		noteEN: "grab attempts, claims and misses alike, 00:00-00:05 of Day 1 (consistency note 2)",
		noteZH: "初一00:00–00:05的抢红包尝试（含“手慢了”），见一致性说明2",
	},
	"eve_participants": {
		query:   queries.Query("eve_participants"),
		scaling: scaleCount, tolerance: 0.01,
		noteEN: "distinct users who sent or grabbed on Eve night",
		noteZH: "除夕夜发过或抢过红包的不同用户数",
	},
	"users_eve_to_day1": {
		query:   queries.Query("users_eve_to_day1"),
		scaling: scaleCount,
		check:   func(v float64, _ bool, r Result) bool { return v > r.Expected },
		noteEN:  "distinct grabbers from Eve 00:00 to Day 1 16:00; reported as 'more than'",
		noteZH:  "除夕00:00至初一16:00抢过红包的不同用户数；原文为“超过”",
	},
	"avg_envelope_yuan": {
		query:   queries.Query("avg_envelope_yuan"),
		scaling: scaleNone, tolerance: 0.01,
		noteEN: "mean envelope total up to Eve night, not the mean claim (consistency note 3)",
		noteZH: "至除夕夜的红包总额平均值，而非单次领取金额（一致性说明3）",
	},
	"max_claims_one_user": {
		query:   queries.Query("max_claims_one_user"),
		scaling: scaleModel, tolerance: 0.01,
		noteEN: "claims of the heaviest grabber up to Eve night; a maximum does not scale linearly",
		noteZH: "至除夕夜领取最多的用户的领取次数；最大值不随规模线性变化",
	},
	"claim_size_range": {
		query:   queries.Query("claim_size_range"),
		scaling: scaleNone,
		check:   func(_ float64, extra bool, _ Result) bool { return extra },
		noteEN:  "single claims: the smallest is a few fen, the median a few yuan",
		noteZH:  "单次领取：最小为几分钱，中位数为几元",
	},
	"wechat_pay_banks": {
		query:   queries.Query("wechat_pay_banks"),
		scaling: scaleNone,
		noteEN:  "banks with a successful WeChat Pay binding in the data",
		noteZH:  "数据中成功绑定微信支付的银行数",
	},
	"alipay_banks": {
		query:   queries.Query("alipay_banks"),
		scaling: scaleNone, tolerance: 0.05,
		noteEN: "banks seen behind Alipay bindings or payments; small runs may not reach the rarest banks",
		noteZH: "数据中支付宝绑定或支付涉及的银行数；小规模运行可能遇不到最少见的银行",
	},
	"wechat_pay_scenarios": {
		query:   queries.Query("wechat_pay_scenarios"),
		scaling: scaleNone, tolerance: 0.1,
		noteEN: "payment scenarios seen for WeChat Pay",
		noteZH: "数据中微信支付出现的支付场景数",
	},
	"card_binding_required": {
		query:   queries.Query("card_binding_required"),
		scaling: scaleNone,
		check:   func(v float64, extra bool, _ Result) bool { return v == 0 && extra },
		noteEN:  "every withdrawal follows a successful card binding of its user",
		noteZH:  "每笔提现之前该用户都已成功绑卡",
	},
	"fake_envelope_links": {
		query:   queries.Query("fake_envelope_links"),
		scaling: scaleNone,
		check:   func(v float64, _ bool, _ Result) bool { return v > 0 },
		noteEN:  "fake-envelope links shared in chats",
		noteZH:  "群聊中分享的假红包链接",
	},
}

// readingSpecs are the figures whose query changes with the reading, by reading; a
// figure not named here is computed the same way under every reading.
var readingSpecs = map[string]map[string]spec{
	"A": {
		"grabs_total": {
			query:   queries.Query("grabs_total_since_launch"),
			scaling: scaleCount, tolerance: 0.01,
			noteEN: "successful claims since launch, up to Day 1 16:00 (reading A)",
			noteZH: "上线以来至初一16:00的成功领取次数（解读A）",
		},
	},
}

// specFor is how figure id is reproduced under reading r.
func specFor(id, r string) (spec, bool) {
	if sp, ok := readingSpecs[r][id]; ok {
		return sp, true
	}
	sp, ok := specs[id]
	return sp, ok
}

// render puts the run's windows into a query as literals, so that --show-sql prints
// SQL a user can paste into any DuckDB session on the warehouse.
func render(q string, w datadir.Windows) string {
	return sqlfile.Render(q, map[string]string{
		"end":         sqlfile.Instant(w.End),
		"from":        sqlfile.Instant(w.Figures()),
		"eve":         sqlfile.Instant(w.EveStart),
		"night_start": sqlfile.Instant(w.EveNightStart),
		"night_end":   sqlfile.Instant(w.EveNightEnd),
		"peak_local":  sqlfile.Local(w.PeakMinute),
	})
}
