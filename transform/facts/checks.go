package facts

import (
	"context"
	"database/sql"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/hongbao/hongbao/internal/datadir"
)

// Check is one consistency note of FACTS.md, with the numbers that support it
// computed from the data.
type Check struct {
	ID       int                `json:"id"`
	Title    string             `json:"title"`
	Reported string             `json:"reported"` // the arithmetic on the reported figures
	Computed string             `json:"computed"` // the same reading, from the data
	Values   map[string]float64 `json:"values"`
	Query    string             `json:"query"`
}

const (
	checkWindowSQL = `SELECT count(*) FILTER (WHERE ts < {end}) AS claims,
       min(ts) AS first_claim,
       count(*) FILTER (WHERE ts >= {eve} AND ts < {end}) AS claims_eve_to_day1,
       (SELECT max(claims) FROM claims_per_minute) AS peak_claims
FROM grabs
WHERE outcome = 'claimed'`
	checkAttemptsSQL = `SELECT sum(attempts) AS attempts, sum(claims) AS claims,
       (SELECT claims FROM claims_per_minute WHERE minute = {peak_local}) AS peak_claims
FROM claims_per_minute
WHERE minute >= {peak_local} AND minute < {peak_local} + INTERVAL 5 MINUTE`
	checkEnvelopeSQL = `SELECT (SELECT avg(total_fen) / 100 FROM envelopes WHERE ts < {night_end}) AS mean_envelope_yuan,
       (SELECT avg(shares) FROM envelopes) AS mean_shares,
       median(amount_fen) / 100 AS median_claim_yuan,
       min(amount_fen) AS min_claim_fen,
       max(amount_fen) / 100 AS max_claim_yuan
FROM grabs
WHERE outcome = 'claimed'`
)

func consistency(ctx context.Context, db *sql.DB, run datadir.Run, lang string) ([]Check, error) {
	p := message.NewPrinter(language.English)
	w := run.Windows
	var out []Check

	// Note 1: the window of the 75 million claims.
	q1 := render(checkWindowSQL, w)
	var claims, eveClaims, peak sql.NullFloat64
	var first sql.NullTime
	if err := db.QueryRowContext(ctx, q1).Scan(&claims, &first, &eveClaims, &peak); err != nil {
		return nil, errorf("consistency note 1", err)
	}
	minutes := 0.0
	if first.Valid {
		minutes = w.End.Sub(first.Time.Truncate(time.Minute)).Minutes()
	}
	perMin := safeDiv(claims.Float64, minutes)
	eveMinutes := w.End.Sub(w.EveStart).Minutes()
	c1 := Check{ID: 1, Query: q1, Values: map[string]float64{
		"claims": claims.Float64, "minutes_since_first_claim": minutes, "claims_per_minute": perMin,
		"claims_eve_to_day1": eveClaims.Float64, "eve_to_day1_minutes": eveMinutes,
		"peak_claims_per_minute": peak.Float64, "scale": run.Scale}}
	firstStr := "-"
	if first.Valid {
		firstStr = first.Time.In(cst).Format("2006-01-02 15:04")
	}
	if lang == "zh" {
		c1.Title = "7500万次领取的时间窗口是上线以来，而非除夕至初一"
		c1.Reported = p.Sprintf("75,000,000 ÷ 9,412次/分钟 = 7,969分钟 ≈ 5.5天，与上线（1月26日）至初一16:00的时长相符；若全部落在除夕00:00至初一16:00（%.0f分钟），需每分钟%.0f次，高于每分钟2.5万次的峰值。", eveMinutes, 75e6/eveMinutes)
		c1.Computed = p.Sprintf("本数据：第一次领取在%s，至初一16:00共%.0f分钟（%.1f天），领取%.0f次，平均每分钟%.0f次；除夕00:00至初一16:00领取%.0f次（每分钟%.0f次），最忙一分钟%.0f次。",
			firstStr, minutes, minutes/1440, claims.Float64, perMin, eveClaims.Float64, safeDiv(eveClaims.Float64, eveMinutes), peak.Float64)
	} else {
		c1.Title = "The 75 million claims span the days since launch, not Eve to Day 1"
		c1.Reported = p.Sprintf("75,000,000 ÷ 9,412 a minute = 7,969 minutes ≈ 5.5 days: the time since launch (26 January) to Day 1 16:00. Packed into Eve 00:00 → Day 1 16:00 (%.0f minutes) they would need %.0f a minute, above the 25,000-a-minute peak.", eveMinutes, 75e6/eveMinutes)
		c1.Computed = p.Sprintf("In this data: the first claim is at %s; to Day 1 16:00 that is %.0f minutes (%.1f days) holding %.0f claims, %.0f a minute. Eve 00:00 → Day 1 16:00 holds %.0f claims (%.0f a minute); the busiest minute has %.0f.",
			firstStr, minutes, minutes/1440, claims.Float64, perMin, eveClaims.Float64, safeDiv(eveClaims.Float64, eveMinutes), peak.Float64)
	}
	out = append(out, c1)

	// Note 2: participations count attempts, opens count claims.
	q2 := render(checkAttemptsSQL, w)
	var att, cl, pk sql.NullFloat64
	if err := db.QueryRowContext(ctx, q2).Scan(&att, &cl, &pk); err != nil {
		return nil, errorf("consistency note 2", err)
	}
	misses := att.Float64 - cl.Float64
	c2 := Check{ID: 2, Query: q2, Values: map[string]float64{
		"attempts_first5min": att.Float64, "claims_first5min": cl.Float64, "misses_first5min": misses,
		"peak_minute_claims": pk.Float64, "attempts_per_minute_over_peak": safeDiv(att.Float64/5, pk.Float64)}}
	if lang == "zh" {
		c2.Title = "“参与”计入抢空的尝试，“拆开”只计成功领取"
		c2.Reported = "585,000人次 ÷ 5分钟 = 每分钟117,000人次，是每分钟2.5万个拆开峰值的4.7倍：参与人次包括“手慢了”的尝试。"
		c2.Computed = p.Sprintf("本数据：初一00:00–00:05共%.0f次尝试（每分钟%.0f次），其中成功领取%.0f次，%.0f次（%.0f%%）遇到红包已被抢完；每分钟尝试是峰值分钟领取数（%.0f）的%.1f倍。",
			att.Float64, att.Float64/5, cl.Float64, misses, 100*safeDiv(misses, att.Float64), pk.Float64, safeDiv(att.Float64/5, pk.Float64))
	} else {
		c2.Title = "Participations count attempts; opens count claims"
		c2.Reported = "585,000 participations in 5 minutes is 117,000 a minute, 4.7× the peak of 25,000 opens a minute: participations include the grabs that found the envelope empty."
		c2.Computed = p.Sprintf("In this data: %.0f attempts 00:00–00:05 on Day 1 (%.0f a minute), of which %.0f claims; %.0f (%.0f%%) found the envelope already empty. Attempts a minute are %.1f× the claims of the peak minute (%.0f).",
			att.Float64, att.Float64/5, cl.Float64, misses, 100*safeDiv(misses, att.Float64), safeDiv(att.Float64/5, pk.Float64), pk.Float64)
	}
	out = append(out, c2)

	// Note 3: envelope totals against single claims.
	q3 := render(checkEnvelopeSQL, w)
	var meanEnv, meanShares, medClaim, minClaim, maxClaim sql.NullFloat64
	if err := db.QueryRowContext(ctx, q3).Scan(&meanEnv, &meanShares, &medClaim, &minClaim, &maxClaim); err != nil {
		return nil, errorf("consistency note 3", err)
	}
	c3 := Check{ID: 3, Query: q3, Values: map[string]float64{
		"mean_envelope_yuan": meanEnv.Float64, "mean_shares": meanShares.Float64, "median_claim_yuan": medClaim.Float64,
		"min_claim_fen": minClaim.Float64, "max_claim_yuan": maxClaim.Float64}}
	if lang == "zh" {
		c3.Title = "10.7元是红包总额，几分几元是单次领取"
		c3.Reported = "“平均每个红包10.7元”与“每个红包几元甚至几分”并不矛盾：前者是红包总额的平均值，后者是拼手气红包拆分后的单次领取。"
		c3.Computed = p.Sprintf("本数据：红包总额平均%.2f元，平均%.1f份；单次领取中位数%.2f元，最小%.0f分，最大%.2f元。",
			meanEnv.Float64, meanShares.Float64, medClaim.Float64, minClaim.Float64, maxClaim.Float64)
	} else {
		c3.Title = "10.7 yuan is the envelope; a few fen to a few yuan is the claim"
		c3.Reported = "'10.7 yuan on average per envelope' and 'a few yuan, even a few fen' agree if the first is the mean envelope total and the second the single claims of a split ('lucky') envelope."
		c3.Computed = p.Sprintf("In this data: envelopes hold %.2f yuan on average in %.1f shares; the median claim is %.2f yuan, the smallest %.0f fen, the largest %.2f yuan.",
			meanEnv.Float64, meanShares.Float64, medClaim.Float64, minClaim.Float64, maxClaim.Float64)
	}
	out = append(out, c3)
	return out, nil
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
