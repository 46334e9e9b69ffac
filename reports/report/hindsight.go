package report

import (
	"context"
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/refdata"
	"github.com/hongbao/hongbao/reports/chart"
)

// HindsightData holds the later Eves, as reported (the warehouse table later_years),
// which answer the article's question: would WeChat Pay be a flash in the pan once
// the envelope craze faded?
type HindsightData struct {
	Rows []LaterYear `json:"rows"`
	// Peak2014PerSecond is the reported peak minute of 2014 (25,000 claims) spread
	// over its 60 seconds: computed, and a minute's average, not a busiest second.
	Peak2014PerSecond float64 `json:"peak_2014_per_second"`
	// From says where the rows came from: "warehouse", or "refdata" for a warehouse
	// built before the table existed.
	From string `json:"from"`
}

// LaterYear is one reported figure of a later Eve.
type LaterYear struct {
	Year     int     `json:"year"`
	Eve      string  `json:"eve"`
	Platform string  `json:"platform"`
	Metric   string  `json:"metric"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Window   string  `json:"window"`
	Source   string  `json:"source"`
	NoteEN   string  `json:"note_en"`
	NoteZH   string  `json:"note_zh"`
}

func hindsightData(ctx context.Context, src *source) (HindsightData, error) {
	d := HindsightData{From: "warehouse"}
	if f, ok := refdata.Lookup("peak_opens_per_minute"); ok {
		d.Peak2014PerSecond = f.Value / 60
	}
	var has bool
	if err := src.db.QueryRowContext(ctx, reportSQL.Query("has_later_years")).Scan(&has); err != nil {
		return d, err
	}
	if !has {
		d.From = "refdata"
		for _, y := range refdata.LaterYears() {
			d.Rows = append(d.Rows, LaterYear{Year: y.Eve.Year(), Eve: y.Eve.Format("2006-01-02"), Platform: y.Platform,
				Metric: y.Metric, Value: y.Value, Unit: y.Unit, Window: y.Window, Source: y.Source, NoteEN: y.NoteEN, NoteZH: y.NoteZH})
		}
		return d, nil
	}
	err := eachRow(ctx, src.db, reportSQL.Query("later_years"), func(scan func(...any) error) error {
		var y LaterYear
		if err := scan(&y.Year, &y.Eve, &y.Platform, &y.Metric, &y.Value, &y.Unit, &y.Window, &y.Source, &y.NoteEN, &y.NoteZH); err != nil {
			return err
		}
		d.Rows = append(d.Rows, y)
		return nil
	})
	return d, err
}

// find is the value of a platform's metric on the Eve of year, over the Eve alone
// when the table also has a longer window; ok is false when there is none.
func (d HindsightData) find(year int, platform, metric string) (LaterYear, bool) {
	var best LaterYear
	found := false
	for _, y := range d.Rows {
		if y.Year == year && y.Platform == platform && y.Metric == metric && (!found || len(y.Window) < len(best.Window)) {
			best, found = y, true
		}
	}
	return best, found
}

// zhWords are the Chinese of the windows and units of the table later_years; a word
// not listed shows as the table has it.
var zhWords = map[string]string{
	"Eve": "除夕", "Eve to Day 5": "除夕至初五", "Eve (midnight)": "除夕零点", "Spring Festival Gala": "春晚",
	"Spring Festival Gala 22:34": "春晚 22:34", "envelopes": "个", "envelopes/s": "个/秒", "people": "人",
	"shakes": "次", "shakes/min": "次/分钟", "yuan": "元", "interactions": "次",
}

// shortUnits are the large units each language counts in, largest first.
var shortUnits = map[Lang][]struct {
	size   float64
	suffix string
}{
	Chinese: {{1e8, "亿"}, {1e4, "万"}},
	English: {{1e9, " bn"}, {1e6, " M"}},
}

// short writes a large count the way each language reads it: "14.2 bn", "142亿".
func short(l Lang, v float64) string {
	units := shortUnits[English]
	if l == Chinese {
		units = shortUnits[Chinese]
	}
	for _, u := range units {
		if v >= u.size {
			return strconv.FormatFloat(math.Round(v/u.size*100)/100, 'f', -1, 64) + u.suffix
		}
	}
	return locale.Number(v)
}

// logBars draws values on a log axis with the bar chart: each bar is log10(value)
// above log10(base), and the axis labels the powers of ten.
func (p *part) logBars(name, title, ylabel, source string, cats []string, groups []chart.BarGroup, base float64) {
	for gi := range groups {
		vs := make([]float64, len(groups[gi].Values))
		for i, v := range groups[gi].Values {
			if v > 0 {
				vs[i] = math.Log10(v / base)
			}
		}
		groups[gi].Values = vs
	}
	l := p.l
	p.chart(name, &chart.Bar{
		Title: title, YLabel: ylabel, Source: source, Categories: cats, Groups: groups,
		Format: func(v float64) string {
			if v != math.Trunc(v) {
				return ""
			}
			return short(l, base*math.Pow(10, v))
		},
	}, 8*vg.Centimeter)
}

// hindsight renders section 7: the Eves after 2014, as reported, against the
// article's question.
func (p *part) hindsight() {
	l, d, doc := p.l, p.d.Hindsight, p.doc
	doc.PageBreak()
	doc.Heading(1, l.Pick("七、后见之明：红包热潮退去后会昙花一现吗？", "7 Hindsight: a flash in the pan once the craze faded?"))
	rep := l.Pick("报道值", "reported")
	comp := l.Pick("由报道值计算", "computed from reported figures")
	wechat := func(year int, metric string) float64 {
		y, _ := d.find(year, refdata.PlatformWeChat, metric)
		return y.Value
	}
	s15, s16, s17, s14 := wechat(2015, "sent_and_received"), wechat(2016, "sent_and_received"), wechat(2017, "sent_and_received"), wechat(2014, "sent_and_received")
	p16, p17 := wechat(2016, "peak_per_second"), wechat(2017, "peak_per_second")
	people19 := wechat(2019, "people")
	ratio := func(a, b float64) string {
		if b == 0 {
			return "–"
		}
		return locale.Fixed(a/b, 1)
	}
	doc.Paragraph(l.Pick("文章在 2014 年问：红包热潮退去后，微信支付会不会昙花一现？此后各年除夕的记录回答了这个问题。本章的数值都是报道值（来源见下表），倍数由报道值计算；它们都不是 hongbao 的事件数据。",
		"In 2014 the article asked whether WeChat Pay would be a flash in the pan once the envelope craze faded. The records of the Eves that followed answer it. Every value in this chapter is reported (sources in the table below); the multiples are computed from them. None comes from hongbao's event data."))
	doc.Paragraph(l.Sprintf("答案是否定的。除夕收发红包：2015 年 %s 个，2016 年 %s 个（%s 倍），2017 年 %s 个（再增 %s 倍）［%s］；按有争议的 2014 年除夕 %s 个计，2017 年是其 %s 倍［%s］。2019 年除夕至初五有 %s 人收发红包［%s］。",
		"The answer is no. Envelopes sent and received on Eve: %s in 2015, %s in 2016 (%s×), %s in 2017 (%s× again) [%s]; against the contested %s of Eve 2014, 2017 is %s× [%s]. In 2019, %s people sent or received envelopes from Eve to Day 5 [%s].",
		short(l, s15), short(l, s16), ratio(s16, s15), short(l, s17), ratio(s17, s16), rep, short(l, s14), locale.Fixed(s17/s14, 0), comp,
		short(l, people19), rep))

	var cats []string
	var vals []float64
	for _, y := range []int{2014, 2015, 2016, 2017} {
		if v := wechat(y, "sent_and_received"); v > 0 {
			cats = append(cats, strconv.Itoa(y))
			vals = append(vals, v)
		}
	}
	p.logBars("hindsight-growth", l.Pick("微信除夕收发红包数（对数刻度）", "WeChat envelopes sent and received on Eve (log scale)"),
		l.Pick("红包个数（对数刻度）", "envelopes (log scale)"),
		l.Pick("来源：报道值（见下表）；2014 年数值有争议（另有约 500 万之说）。", "Source: reported (see the table below); the 2014 value is contested (some say about 5 M)."),
		cats, []chart.BarGroup{{Values: vals, Color: chart.Palette[0]}}, 1e6)

	doc.Paragraph(l.Sprintf("峰值：2014 年报道的最忙一分钟是 2.5 万次领取，平均每秒约 %s 次［%s，且只计领取］；2016 年最忙一秒收发 %s 个，2017 年 %s 个［%s］，是 2014 年的 %s 倍［%s］。承载能力与习惯一起增长。",
		"Peaks: 2014's reported busiest minute held 25,000 claims, about %s a second [%s, claims only]; the busiest second of 2016 held %s envelopes sent and received, 2017's %s [%s], %s× 2014's [%s]. Capacity grew with the habit.",
		locale.Fixed(d.Peak2014PerSecond, 0), comp, locale.Number(p16), locale.Number(p17), rep, locale.Fixed(p17/d.Peak2014PerSecond, 0), comp))
	p.logBars("hindsight-peak", l.Pick("每秒峰值（对数刻度）", "Peak per second (log scale)"),
		l.Pick("每秒（对数刻度）", "per second (log scale)"),
		l.Pick("来源：2016、2017 年为报道值（收发）；2014 年由报道的峰值分钟计算（2.5 万 ÷ 60，仅领取）。", "Source: 2016 and 2017 reported (sent and received); 2014 computed from the reported peak minute (25,000 ÷ 60, claims only)."),
		[]string{"2014", "2016", "2017"}, []chart.BarGroup{{Values: []float64{d.Peak2014PerSecond, p16, p17}, Color: chart.Palette[2]}}, 100)

	doc.Heading(2, l.Pick("微信与支付宝", "WeChat against Alipay"))
	a15, _ := d.find(2015, refdata.PlatformAlipay, "sent_and_received")
	doc.Paragraph(p.ref(
		fmt.Sprintf("2015 年除夕，微信收发红包 %s 个，支付宝 %s 个，微信是其 %s 倍［%s］。2016 年支付宝报道的是“咻一咻”互动次数而非红包数，与微信口径不同，不能直接相比。",
			short(l, s15), short(l, a15.Value), ratio(s15, a15.Value), comp),
		fmt.Sprintf("On Eve 2015 WeChat's envelopes sent and received were %s, Alipay's %s: %s× [%s]. For 2016 Alipay reported '咻一咻' taps, not envelopes, a different count that cannot be set against WeChat's.",
			short(l, s15), short(l, a15.Value), ratio(s15, a15.Value), comp)))
	t := table(col(l.Pick("除夕", "Eve"), 1.3, false), col(l.Pick("平台", "Platform"), 1, false), col(l.Pick("数据", "Figure"), 2.2, false),
		col(l.Pick("数值", "Value"), 1.9, true), col(l.Pick("类别与来源", "Label and source"), 3.6, false))
	for _, y := range d.Rows {
		platform := l.Pick("微信", "WeChat")
		if y.Platform == refdata.PlatformAlipay {
			platform = l.Pick("支付宝", "Alipay")
		}
		window, unit := y.Window, y.Unit
		if l == Chinese {
			if w, ok := zhWords[window]; ok {
				window = w
			}
			if u, ok := zhWords[unit]; ok {
				unit = u
			}
		}
		t.Rows = append(t.Rows, []string{y.Eve, platform, p.ref(y.NoteZH, y.NoteEN) + l.Pick("（", " (") + window + l.Pick("）", ")"),
			locale.Number(y.Value) + " " + unit, rep + l.Pick("：", ": ") + p.ref(y.Source, y.Source)})
	}
	doc.Table(t)
	doc.Note(fmt.Sprintf("%s later_years (%s).", l.Pick("仓库表", "Warehouse table"), d.From))
}
