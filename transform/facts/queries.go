package facts

import (
	"strings"
	"time"

	"github.com/hongbao/hongbao/internal/datadir"
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

// averageClaimsSQL divides the claims by the minutes from the first claim (the launch,
// in the data) to Day 1 16:00: consistency note 1's reading of both averages.
const averageClaimsSQL = `SELECT count(*) / (epoch({end} - date_trunc('minute', min(ts))) / 60) AS claims_per_minute
FROM grabs
WHERE outcome = 'claimed' AND ts < {end}`

// specs holds the event-level figures; every other registry entry is not derivable.
var specs = map[string]spec{
	"launch_date": {
		query:   `SELECT strftime(min(ts) AT TIME ZONE 'Asia/Shanghai', '%Y%m%d')::INTEGER AS first_day FROM envelopes`,
		scaling: scaleNone,
		noteEN:  "the local date of the first envelope in the data",
		noteZH:  "数据中第一个红包的本地日期",
	},
	"grabs_total": {
		query: `SELECT count(*) AS claims
FROM grabs
WHERE outcome = 'claimed' AND ts < {end}`,
		scaling: scaleCount, tolerance: 0.01,
		noteEN: "successful claims since launch, up to Day 1 16:00 (consistency note 1)",
		noteZH: "上线以来至初一16:00的成功领取次数（一致性说明1）",
	},
	"claims_per_minute_avg": {
		query:   averageClaimsSQL,
		scaling: scaleCount, tolerance: 0.01,
		noteEN: "claims divided by the minutes from the first claim to Day 1 16:00",
		noteZH: "领取次数除以从第一次领取到初一16:00的分钟数",
	},
	"claims_per_minute_avg_rounded": {
		query:   averageClaimsSQL,
		scaling: scaleCount,
		check:   func(v float64, _ bool, r Result) bool { return v > r.Expected },
		noteEN:  "the same average; the article rounds it to 'more than 9,000'",
		noteZH:  "同一平均值，文章开头取整为“9000多个”",
	},
	"peak_opens_per_minute": {
		query: `SELECT claims,
       claims = (SELECT max(claims) FROM claims_per_minute) AS is_busiest_minute
FROM claims_per_minute
WHERE minute = {peak_local}`,
		scaling: scaleCount, tolerance: 0.02,
		noteEN: "claims in the minute 00:00 of Day 1, which must also be the busiest minute",
		noteZH: "初一00:00这一分钟的领取数，且须是最忙的一分钟",
	},
	"first5min_participations": {
		query: `SELECT sum(attempts) AS attempts
FROM claims_per_minute
WHERE minute >= {peak_local} AND minute < {peak_local} + INTERVAL 5 MINUTE`,
		scaling: scaleCount, tolerance: 0.02,
		noteEN: "grab attempts, claims and misses alike, 00:00-00:05 of Day 1 (consistency note 2)",
		noteZH: "初一00:00–00:05的抢红包尝试（含“手慢了”），见一致性说明2",
	},
	"eve_participants": {
		query: `SELECT count(DISTINCT user_id) AS participants
FROM (SELECT user_id FROM grabs WHERE ts >= {night_start} AND ts < {night_end}
      UNION ALL
      SELECT sender_id FROM envelopes WHERE ts >= {night_start} AND ts < {night_end})`,
		scaling: scaleCount, tolerance: 0.01,
		noteEN: "distinct users who sent or grabbed on Eve night",
		noteZH: "除夕夜发过或抢过红包的不同用户数",
	},
	"users_eve_to_day1": {
		query: `SELECT count(DISTINCT user_id) AS grabbers
FROM grabs
WHERE ts >= {eve} AND ts < {end}`,
		scaling: scaleCount,
		check:   func(v float64, _ bool, r Result) bool { return v > r.Expected },
		noteEN:  "distinct grabbers from Eve 00:00 to Day 1 16:00; reported as 'more than'",
		noteZH:  "除夕00:00至初一16:00抢过红包的不同用户数；原文为“超过”",
	},
	"avg_envelope_yuan": {
		query: `SELECT avg(total_fen) / 100 AS mean_envelope_yuan
FROM envelopes
WHERE ts < {night_end}`,
		scaling: scaleNone, tolerance: 0.01,
		noteEN: "mean envelope total up to Eve night, not the mean claim (consistency note 3)",
		noteZH: "至除夕夜的红包总额平均值，而非单次领取金额（一致性说明3）",
	},
	"max_claims_one_user": {
		query: `SELECT max(claims) AS heaviest_grabber_claims
FROM (SELECT user_id, count(*) AS claims
      FROM grabs
      WHERE outcome = 'claimed' AND ts < {night_end}
      GROUP BY user_id)`,
		scaling: scaleModel, tolerance: 0.01,
		noteEN: "claims of the heaviest grabber up to Eve night; a maximum does not scale linearly",
		noteZH: "至除夕夜领取最多的用户的领取次数；最大值不随规模线性变化",
	},
	"claim_size_range": {
		query: `SELECT median(amount_fen) / 100 AS median_claim_yuan,
       min(amount_fen) <= 10 AND median(amount_fen) BETWEEN 100 AND 1000 AS few_fen_to_few_yuan
FROM grabs
WHERE outcome = 'claimed'`,
		scaling: scaleNone,
		check:   func(_ float64, extra bool, _ Result) bool { return extra },
		noteEN:  "single claims: the smallest is a few fen, the median a few yuan",
		noteZH:  "单次领取：最小为几分钱，中位数为几元",
	},
	"wechat_pay_banks": {
		query: `SELECT count(DISTINCT bank_code) AS banks
FROM card_bindings
WHERE provider = 'wechat_pay' AND outcome = 'ok'`,
		scaling: scaleNone,
		noteEN:  "banks with a successful WeChat Pay binding in the data",
		noteZH:  "数据中成功绑定微信支付的银行数",
	},
	"alipay_banks": {
		query: `SELECT count(DISTINCT bank_code) AS banks
FROM (SELECT bank_code FROM card_bindings WHERE provider = 'alipay' AND outcome = 'ok'
      UNION
      SELECT bank_code FROM payments WHERE provider = 'alipay')`,
		scaling: scaleNone, tolerance: 0.05,
		noteEN: "banks seen behind Alipay bindings or payments; small runs may not reach the rarest banks",
		noteZH: "数据中支付宝绑定或支付涉及的银行数；小规模运行可能遇不到最少见的银行",
	},
	"wechat_pay_scenarios": {
		query: `SELECT count(DISTINCT scenario) AS scenarios
FROM payments
WHERE provider = 'wechat_pay'`,
		scaling: scaleNone, tolerance: 0.1,
		noteEN: "payment scenarios seen for WeChat Pay",
		noteZH: "数据中微信支付出现的支付场景数",
	},
	"card_binding_required": {
		query: `SELECT count(*) AS withdrawals_without_prior_binding,
       (SELECT count(*) FROM withdrawals) > 0 AS has_withdrawals
FROM withdrawals w
WHERE NOT EXISTS (SELECT 1 FROM card_bindings b
                  WHERE b.user_id = w.user_id AND b.provider = w.provider
                    AND b.outcome = 'ok' AND b.ts <= w.ts)`,
		scaling: scaleNone,
		check:   func(v float64, extra bool, _ Result) bool { return v == 0 && extra },
		noteEN:  "every withdrawal follows a successful card binding of its user",
		noteZH:  "每笔提现之前该用户都已成功绑卡",
	},
	"fake_envelope_links": {
		query:   `SELECT count(*) AS links FROM links`,
		scaling: scaleNone,
		check:   func(v float64, _ bool, _ Result) bool { return v > 0 },
		noteEN:  "fake-envelope links shared in chats",
		noteZH:  "群聊中分享的假红包链接",
	},
}

// render puts the run's windows into a query as literals, so that --show-sql prints
// SQL a user can paste into any DuckDB session on the warehouse.
func render(q string, w datadir.Windows) string {
	tz := func(t time.Time) string { return "TIMESTAMPTZ '" + t.In(cst).Format("2006-01-02 15:04:05-07:00") + "'" }
	local := func(t time.Time) string { return "TIMESTAMP '" + t.In(cst).Format("2006-01-02 15:04:05") + "'" }
	return strings.NewReplacer(
		"{end}", tz(w.End),
		"{eve}", tz(w.EveStart),
		"{night_start}", tz(w.EveNightStart),
		"{night_end}", tz(w.EveNightEnd),
		"{peak_local}", local(w.PeakMinute),
	).Replace(q)
}
