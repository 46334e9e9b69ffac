package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/sqlfile"
	"github.com/hongbao/hongbao/reports/chart"
)

// PeakData holds the midnight peak and the whole period per hour.
type PeakData struct {
	Scale float64 `json:"scale"`
	// Minutes are the claims and attempts of each minute from an hour before
	// the reported peak minute to an hour after (Eve 23:00 to Day 1 01:00;
	// minutes without grabs as zero).
	Minutes []Count `json:"minutes"`
	// Peak is the busiest minute of the data by claims.
	Peak Count `json:"peak"`
	// ReportedPeak is the article's 25,000 opens a minute; ExpectedPeak is it
	// × Scale, the reference line.
	ReportedPeak float64 `json:"reported_peak"`
	ExpectedPeak float64 `json:"expected_peak"`
	// First5Attempts counts grab attempts 00:00–00:05 on Day 1, against the
	// article's 585,000 participations (× Scale).
	First5Attempts int64   `json:"first5_attempts"`
	First5Claims   int64   `json:"first5_claims"`
	ReportedFirst5 float64 `json:"reported_first5"`
	ExpectedFirst5 float64 `json:"expected_first5"`
	// Hours are claims and attempts per hour from the first grab's hour to
	// Day 1 16:00 (hours without grabs as zero).
	Hours []Count `json:"hours"`
	// ReportedAvg is the article's 9,412 claims a minute; ExpectedHourly is it
	// × 60 × Scale, the hourly reference line.
	ReportedAvg    float64 `json:"reported_avg"`
	ExpectedHourly float64 `json:"expected_hourly"`
}

// Count is the claims and attempts of one minute or hour (T, China Standard
// Time, is its start).
type Count struct {
	T        time.Time `json:"t"`
	Claims   int64     `json:"claims"`
	Attempts int64     `json:"attempts"`
}

// peakData reads claims_per_minute around midnight and per hour.
func peakData(ctx context.Context, src *source) (PeakData, error) {
	ri, db := src.run, src.db
	d := PeakData{Scale: ri.Scale}
	var err error
	if d.Peak, err = busiestMinute(ctx, db); err != nil {
		return d, err
	}
	pm := ri.Windows.PeakMinute
	peak := map[string]string{"peak_local": sqlfile.Local(pm)}
	if d.Minutes, err = counts(ctx, db, sqlfile.Render(reportSQL.Query("midnight_minutes"), peak),
		"minute", pm.Add(-time.Hour), pm.Add(time.Hour), time.Minute); err != nil {
		return d, err
	}
	// The hours of the run the data fall in: at most a year (datadir.MaxWindow), whatever
	// the events' own first instant.
	from, to := latest(ri.First, ri.Windows.Launch).Truncate(time.Hour), ri.Windows.End
	hours := sqlfile.Render(reportSQL.Query("hours"), map[string]string{"from": sqlfile.Local(from), "to": sqlfile.Local(to)})
	if d.Hours, err = counts(ctx, db, hours, "hour", from, to, time.Hour); err != nil {
		return d, err
	}
	err = db.QueryRowContext(ctx, sqlfile.Render(reportSQL.Query("first_five"), peak)).Scan(&d.First5Attempts, &d.First5Claims)
	if err != nil {
		return d, fmt.Errorf("first five minutes: %w", err)
	}
	for _, f := range []struct {
		id       string
		reported *float64
	}{{"peak_opens_per_minute", &d.ReportedPeak}, {"first5min_participations", &d.ReportedFirst5}, {"claims_per_minute_avg", &d.ReportedAvg}} {
		fa, err := lookupFact(f.id)
		if err != nil {
			return d, err
		}
		*f.reported = fa.Value
	}
	d.ExpectedPeak = d.ReportedPeak * d.Scale
	d.ExpectedFirst5 = d.ReportedFirst5 * d.Scale
	d.ExpectedHourly = d.ReportedAvg * 60 * d.Scale
	return d, nil
}

// busiestMinute is the minute with the most claims, the earliest on ties.
func busiestMinute(ctx context.Context, db *sql.DB) (Count, error) {
	var c Count
	err := db.QueryRowContext(ctx, reportSQL.Query("busiest_minute")).Scan(&c.T, &c.Claims, &c.Attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNoEvents
	}
	if err != nil {
		return c, fmt.Errorf("busiest minute: %w", err)
	}
	c.T = wall(c.T)
	return c, nil
}

// counts reads the claims and attempts per unit ("minute" or "hour") that q gives
// over [from, to), one Count per step, zero where there were no grabs.
func counts(ctx context.Context, db *sql.DB, q, unit string, from, to time.Time, step time.Duration) ([]Count, error) {
	got := map[time.Time]Count{}
	err := eachRow(ctx, db, q, func(scan func(...any) error) error {
		var c Count
		if err := scan(&c.T, &c.Claims, &c.Attempts); err != nil {
			return err
		}
		c.T = wall(c.T)
		got[c.T] = c
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("claims per %s: %w", unit, err)
	}
	var out []Count
	for t := from; t.Before(to); t = t.Add(step) {
		c, ok := got[t]
		if !ok {
			c = Count{T: t}
		}
		out = append(out, c)
	}
	return out, nil
}

// peak renders section 2: the midnight peak and the whole period per hour.
func (p *part) peak() {
	l, d, ri, doc := p.l, p.d.Peak, p.d.Method.Run, p.doc
	scale := sig(ri.Scale, 4)
	doc.PageBreak()
	doc.Heading(1, l.Pick("二、除夕零点的高峰", "2 The midnight peak"))
	doc.Paragraph(l.Sprintf("最繁忙的一分钟是 %s，成功领取 %s 次（计算值）。文章报道的峰值是每分钟 2.5 万个红包被拆开，即每分钟 25,000 个（%s），按本次规模 %s 换算为每分钟 %s 个，图中以参考线表示。",
		"The busiest minute is %s CST with %s claims (computed). The article reports a peak of 25,000 envelopes opened a minute, 25,000/min (%s), which is %[5]s/min at this run's scale of %[4]s: the reference line.",
		d.Peak.T.Format("2006-01-02 15:04"), locale.Int(d.Peak.Claims), p.reported(), scale, val(d.ExpectedPeak)))
	ts, claims, attempts := columns(d.Minutes, func(c Count) (time.Time, float64, float64) {
		return c.T, float64(c.Claims), float64(c.Attempts)
	})
	var midnightAxis string
	if len(d.Minutes) > 0 {
		from, to := d.Minutes[0].T, d.Minutes[len(d.Minutes)-1].T.Add(time.Minute)
		midnightAxis = l.Sprintf("北京时间（%s 至 %s）", "China Standard Time (%s to %s)", from.Format("2006-01-02 15:04"), to.Format("01-02 15:04"))
	}
	var notes []chart.Note
	if len(d.Minutes) > 0 && inWindow(d.Peak.T, d.Minutes[0].T, d.Minutes[len(d.Minutes)-1].T.Add(time.Minute)) {
		notes = append(notes, chart.Note{T: d.Peak.T, Y: float64(d.Peak.Claims),
			Label: l.Sprintf("峰值 %s：%s 次", "peak %s: %s claims", d.Peak.T.Format("15:04"), locale.Int(d.Peak.Claims))})
	}
	p.chart("peak-claims", &chart.Line{
		Title:  l.Pick("除夕零点前后每分钟成功领取的红包", "Envelopes claimed per minute around midnight"),
		XLabel: midnightAxis,
		YLabel: l.Pick("每分钟领取（次）", "claims per minute"),
		Source: p.sourceComputed(ri, l.Pick("参考线：", "reference line: ")+p.reported()+l.Pick("，按规模换算", ", × scale")),
		Series: []chart.Series{{Name: l.Pick("成功领取（拆开）", "claimed (opened)"), T: ts, Y: claims, Color: chart.Palette[0]}},
		Refs: []chart.RefLine{{Y: d.ExpectedPeak,
			Label: l.Sprintf("报道：每分钟 25,000 × 规模 %s = %s", "reported 25,000/min × scale %s = %s/min", scale, val(d.ExpectedPeak))}},
		Notes: notes,
	}, 8*vg.Centimeter)

	var anotes []chart.Note
	if i := maxAttempts(d.Minutes); i >= 0 {
		c := d.Minutes[i]
		anotes = append(anotes, chart.Note{T: c.T, Y: float64(c.Attempts),
			Label: l.Sprintf("%s：%s 次尝试", "%s: %s attempts", c.T.Format("15:04"), locale.Int(c.Attempts))})
	}
	p.chart("peak-attempts", &chart.Line{
		Title:  l.Pick("尝试与成功领取：参与人次远多于拆开次数", "Attempts and claims: participations far outnumber opens"),
		XLabel: midnightAxis,
		YLabel: l.Pick("每分钟次数（次）", "per minute (count)"),
		Source: p.sourceComputed(ri),
		Series: []chart.Series{
			{Name: l.Pick("尝试（含手慢了）", "attempts (incl. too slow)"), T: ts, Y: attempts, Color: chart.Palette[2]},
			{Name: l.Pick("成功领取", "claims"), T: ts, Y: claims, Color: chart.Palette[0]},
		},
		Notes: anotes,
	}, 8*vg.Centimeter)
	doc.Note(l.Sprintf("初一零点后的前 5 分钟内共有 %s 次抢红包尝试（计算值），文章报道为 58.5 万人次（%s），按规模换算为 %s。"+
		"尝试包括抢到空红包（“手慢了”）的情况，所以前 5 分钟平均每分钟的尝试是峰值领取的 %s 倍（说明 2）。",
		"In the first five minutes of Day 1 users made %s grab attempts (computed), against 585,000 participations reported (%s), %s at this scale. "+
			"Attempts include grabs that found the envelope already empty (\"too slow\"), so attempts per minute in those five minutes run %s times the peak of claims (note 2).",
		locale.Int(d.First5Attempts), p.reported(), val(d.ExpectedFirst5), sig(share(float64(d.First5Attempts)/5, float64(d.Peak.Claims)), 2)))

	doc.PageBreak()
	doc.Heading(2, l.Pick("从上线到初一 16:00 的每小时走势", "The whole period per hour, launch to Day 1 16:00"))
	var hts []time.Time
	var hclaims, hattempts []float64
	best := -1
	for i, c := range d.Hours {
		hts = append(hts, c.T)
		hclaims = append(hclaims, float64(c.Claims))
		hattempts = append(hattempts, float64(c.Attempts))
		if best < 0 || c.Claims > d.Hours[best].Claims {
			best = i
		}
	}
	var hnotes []chart.Note
	if best >= 0 {
		c := d.Hours[best]
		hnotes = append(hnotes, chart.Note{T: c.T, Y: float64(c.Claims),
			Label: l.Sprintf("最多：%s 时 %s 次", "busiest hour %s: %s claims", c.T.Format("01-02 15:04"), locale.Int(c.Claims))})
	}
	hourly := locale.Number(math.Round(d.ExpectedHourly))
	if len(hts) > 0 {
		p.chart("peak-hours", &chart.Line{
			Title:  l.Pick("从上线到初一 16:00 每小时的领取与尝试", "Claims and attempts per hour, launch to Day 1 16:00"),
			XLabel: l.Pick("北京时间（2014年1月26日至31日）", "China Standard Time (2014-01-26 to 01-31)"),
			YLabel: l.Pick("每小时次数（次）", "per hour (count)"),
			Source: p.sourceComputed(ri, l.Pick("参考线：", "reference line: ")+p.reported()+l.Pick("，平均每分钟 9,412 个 × 60 × 规模", ", 9,412/min × 60 × scale")),
			Series: []chart.Series{
				{Name: l.Pick("尝试", "attempts"), T: hts, Y: hattempts, Color: chart.Palette[2]},
				{Name: l.Pick("成功领取", "claims"), T: hts, Y: hclaims, Color: chart.Palette[0]},
			},
			Refs:  []chart.RefLine{{Y: d.ExpectedHourly, Label: l.Sprintf("报道平均：每小时 %s 个", "reported average: %s/h", hourly)}},
			Notes: hnotes,
		}, 0)
	}
	doc.Note(l.Sprintf("文章报道的平均每分钟 9,412 个（%s）按规模换算为每小时 %s 个。每小时的起伏来自一天中的作息，除夕夜最高。",
		"The reported average of 9,412 a minute (%s) is %s an hour at this scale. Claims follow the daily rhythm and run highest on Eve night.",
		p.reported(), hourly))

	t := table(col(l.Pick("零点高峰", "The midnight peak"), 3, false), col(l.Pick("计算值", "Computed"), 1.3, true), col(l.Pick("报道值", "Reported"), 1.3, true), col(l.Pick("报道值 × 规模", "Reported × scale"), 1.5, true))
	t.Rows = [][]string{
		{l.Sprintf("峰值分钟的领取（%s）", "Claims in the peak minute (%s)", d.Peak.T.Format("01-02 15:04")), locale.Int(d.Peak.Claims), locale.Number(d.ReportedPeak), val(d.ExpectedPeak)},
		{l.Pick("峰值分钟的尝试", "Attempts in the peak minute"), locale.Int(d.Peak.Attempts), "—", "—"},
		{l.Pick("初一 00:00–00:05 的尝试", "Attempts, Day 1 00:00–00:05"), locale.Int(d.First5Attempts), locale.Number(d.ReportedFirst5), val(d.ExpectedFirst5)},
		{l.Pick("初一 00:00–00:05 的领取", "Claims, Day 1 00:00–00:05"), locale.Int(d.First5Claims), "—", "—"},
		{l.Pick("平均每分钟领取（上线以来）", "Claims per minute since launch"), val(p.d.Headline.computed("claims_per_minute_avg")), locale.Number(d.ReportedAvg), val(d.ReportedAvg * ri.Scale)},
	}
	doc.Table(t)
	doc.Note(l.Pick("报道值来源：", "Reported figures: ") + p.reported() + l.Pick("。", "."))
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func inWindow(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

// maxAttempts is the index of the minute with the most attempts, -1 if none.
func maxAttempts(cs []Count) int {
	best := -1
	for i, c := range cs {
		if c.Attempts > 0 && (best < 0 || c.Attempts > cs[best].Attempts) {
			best = i
		}
	}
	return best
}
