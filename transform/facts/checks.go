package facts

import (
	"context"
	"database/sql"
	"time"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
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

// checkMeasure is what the query of one consistency note gave, in no language.
type checkMeasure struct {
	id     int
	query  string
	values map[string]float64
	first  string // note 1: the first claim, "-" if none
}

// measureChecks runs the query of each consistency note once; fromModels says that
// the warehouse's models answer for the run's windows (see Measure).
func measureChecks(ctx context.Context, db *sql.DB, run datadir.Run, fromModels bool) ([]checkMeasure, error) {
	w := run.Windows

	// Note 1: the window of the 75 million claims.
	note1 := "check_window"
	if fromModels {
		note1 = "check_window_from_models"
	}
	q1 := render(queries.Query(note1), w)
	var claims, eveClaims, eveAttempts, peak sql.NullFloat64
	var first sql.NullTime
	if err := db.QueryRowContext(ctx, q1).Scan(&claims, &first, &eveClaims, &eveAttempts, &peak); err != nil {
		return nil, errorf("consistency note 1", err)
	}
	minutes := 0.0
	firstStr := "-"
	if first.Valid {
		minutes = w.End.Sub(first.Time.Truncate(time.Minute)).Minutes()
		firstStr = first.Time.In(locale.Zone).Format("2006-01-02 15:04")
	}
	c1 := checkMeasure{id: 1, query: q1, first: firstStr, values: map[string]float64{
		"claims": claims.Float64, "minutes_since_first_claim": minutes, "claims_per_minute": safeDiv(claims.Float64, minutes),
		"claims_eve_to_day1": eveClaims.Float64, "eve_to_day1_minutes": w.End.Sub(w.EveStart).Minutes(),
		"attempts_eve_to_day1":   eveAttempts.Float64,
		"peak_claims_per_minute": peak.Float64, "scale": run.Scale}}

	// Note 2: participations count attempts, opens count claims.
	q2 := render(queries.Query("check_attempts"), w)
	var att, cl, pk sql.NullFloat64
	if err := db.QueryRowContext(ctx, q2).Scan(&att, &cl, &pk); err != nil {
		return nil, errorf("consistency note 2", err)
	}
	c2 := checkMeasure{id: 2, query: q2, values: map[string]float64{
		"attempts_first5min": att.Float64, "claims_first5min": cl.Float64, "misses_first5min": att.Float64 - cl.Float64,
		"peak_minute_claims": pk.Float64, "attempts_per_minute_over_peak": safeDiv(att.Float64/5, pk.Float64),
		"window_attempts_per_minute": safeDiv(eveAttempts.Float64, w.End.Sub(w.EveStart).Minutes())}}

	// Note 3: envelope totals against single claims.
	q3 := render(queries.Query("check_envelope"), w)
	var meanEnv, meanShares, medClaim, minClaim, maxClaim sql.NullFloat64
	if err := db.QueryRowContext(ctx, q3).Scan(&meanEnv, &meanShares, &medClaim, &minClaim, &maxClaim); err != nil {
		return nil, errorf("consistency note 3", err)
	}
	c3 := checkMeasure{id: 3, query: q3, values: map[string]float64{
		"mean_envelope_yuan": meanEnv.Float64, "mean_shares": meanShares.Float64, "median_claim_yuan": medClaim.Float64,
		"min_claim_fen": minClaim.Float64, "max_claim_yuan": maxClaim.Float64}}
	return []checkMeasure{c1, c2, c3}, nil
}

// word writes the note in l, with the numbers of the data.
func (c checkMeasure) word(l locale.Lang) Check {
	v := c.values
	n := func(key string, decimals int) string { return locale.Fixed(v[key], decimals) }
	out := Check{ID: c.id, Query: c.query, Values: v}
	switch c.id {
	case 1:
		eveMinutes := v["eve_to_day1_minutes"]
		claimsRate := safeDiv(v["claims_eve_to_day1"], eveMinutes)
		out.Title = l.Pick("同一窗口容纳所有数字：除夕00:00至初一16:00",
			"One window holds every figure: Eve 00:00 → Day 1 16:00")
		out.Reported = l.Sprintf("腾讯/财付通发布：除夕00:00至初一16:00（%s分钟）抢红包7500万次以上、领取超过2000万个、每分钟领取9,412个：9,412 × %[1]s = %[2]s次领取；7500万次尝试即每分钟%[3]s次、每次领取%[4]s次尝试，约%[5]s%%落空（解读B）。解读A把7500万看作上线以来的领取：75,000,000 ÷ 9,412 = 7,969分钟，没有记录给出这一窗口。",
			"Tencent/Tenpay's release: Eve 00:00 → Day 1 16:00 (%s minutes) holds more than 75 M grabs, more than 20 M envelopes received, 9,412 received a minute: 9,412 × %[1]s = %[2]s claims; 75 M attempts are %[3]s a minute, %[4]s attempts a claim, about %[5]s%% missing (reading B). Reading A took the 75 M as claims since launch: 75,000,000 ÷ 9,412 = 7,969 minutes, a window no record gives.",
			n("eve_to_day1_minutes", 0), locale.Fixed(9412*eveMinutes, 0), locale.Fixed(75e6/eveMinutes, 0),
			locale.Fixed(75e6/(9412*eveMinutes), 1), locale.Fixed(100*(1-9412*eveMinutes/75e6), 0))
		out.Computed = l.Sprintf("本数据：除夕00:00至初一16:00有%s次尝试、%s次领取（每分钟%s次，每次领取%s次尝试，%s%%落空）；最忙一分钟%s次领取，是平均值的%s倍。自第一次领取（%s）至初一16:00共%s分钟，领取%s次，每分钟%s次。",
			"In this data: Eve 00:00 → Day 1 16:00 holds %s attempts and %s claims (%s a minute, %s attempts a claim, %s%% missing); the busiest minute has %s claims, %s× the average. From the first claim (%s) to Day 1 16:00: %s minutes, %s claims, %s a minute.",
			n("attempts_eve_to_day1", 0), n("claims_eve_to_day1", 0), locale.Fixed(claimsRate, 0),
			locale.Fixed(safeDiv(v["attempts_eve_to_day1"], v["claims_eve_to_day1"]), 1),
			locale.Fixed(100*(1-safeDiv(v["claims_eve_to_day1"], v["attempts_eve_to_day1"])), 0),
			n("peak_claims_per_minute", 0), locale.Fixed(safeDiv(v["peak_claims_per_minute"], claimsRate), 1),
			c.first, n("minutes_since_first_claim", 0), n("claims", 0), n("claims_per_minute", 0))
	case 2:
		out.Title = l.Pick("“参与”计入抢空的尝试，“拆开”只计成功领取", "Participations count attempts; opens count claims")
		out.Reported = l.Pick("585,000人次 ÷ 5分钟 = 每分钟117,000人次，是每分钟2.5万个拆开峰值的4.7倍、整个窗口平均每分钟31,250次尝试的3.7倍：参与人次包括“手慢了”的尝试。",
			"585,000 participations in 5 minutes is 117,000 a minute: 4.7× the peak of 25,000 opens a minute and 3.7× the window's average of 31,250 attempts a minute: participations include the grabs that found the envelope empty.")
		missShare := locale.Fixed(100*safeDiv(v["misses_first5min"], v["attempts_first5min"]), 0)
		out.Computed = l.Sprintf("本数据：初一00:00–00:05共%s次尝试（每分钟%s次），其中成功领取%s次，%s次（%s%%）遇到红包已被抢完；每分钟尝试是峰值分钟领取数（%s）的%s倍，是除夕00:00至初一16:00平均每分钟尝试数（%s）的%s倍。",
			"In this data: %s attempts 00:00–00:05 on Day 1 (%s a minute), of which %s claims; %s (%s%%) found the envelope already empty. Attempts a minute are %[7]s× the claims of the peak minute (%[6]s) and %[9]s× the average attempts a minute of Eve 00:00 → Day 1 16:00 (%[8]s).",
			n("attempts_first5min", 0), locale.Fixed(v["attempts_first5min"]/5, 0), n("claims_first5min", 0), n("misses_first5min", 0),
			missShare, n("peak_minute_claims", 0), n("attempts_per_minute_over_peak", 1),
			n("window_attempts_per_minute", 0), locale.Fixed(safeDiv(v["attempts_first5min"]/5, v["window_attempts_per_minute"]), 1))
	case 3:
		out.Title = l.Pick("10.7元是红包总额，几分几元是单次领取", "10.7 yuan is the envelope; a few fen to a few yuan is the claim")
		out.Reported = l.Pick("“平均每个红包10.7元”与“每个红包几元甚至几分”并不矛盾：前者是红包总额的平均值，后者是拼手气红包拆分后的单次领取。",
			"'10.7 yuan on average per envelope' and 'a few yuan, even a few fen' agree if the first is the mean envelope total and the second the single claims of a split ('lucky') envelope.")
		out.Computed = l.Sprintf("本数据：红包总额平均%s元，平均%s份；单次领取中位数%s元，最小%s分，最大%s元。",
			"In this data: envelopes hold %s yuan on average in %s shares; the median claim is %s yuan, the smallest %s fen, the largest %s yuan.",
			n("mean_envelope_yuan", 2), n("mean_shares", 1), n("median_claim_yuan", 2), n("min_claim_fen", 0), n("max_claim_yuan", 2))
	}
	return out
}

func safeDiv(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
