package report

import (
	"image/color"
	"math"
	"regexp"
	"strings"
	"time"
	"unicode"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/textwrap"
	"github.com/hongbao/hongbao/reports/chart"
	"github.com/hongbao/hongbao/transform/facts"
)

// The three labels every number carries.

// reported labels a figure from the article, with its source.
func (p *part) reported() string {
	return p.l.Pick("报道值（中国电子商务研究中心/国际在线，2014）", "reported — CECRC/CRI Online 2014")
}

// computed labels a figure reproduced from the event data.
func (p *part) computed() string {
	return p.l.Pick("计算值（事件数据）", "computed from the events")
}

// assumed labels a parameter the article does not give.
func (p *part) assumed() string { return p.l.Pick("假设值（可修改）", "assumed (editable)") }

// assumedShort is the short form of assumed, inside a source line.
func (p *part) assumedShort() string { return p.l.Pick("假设值", "assumed") }

// sourceComputed is the source line of a chart of event data.
func (p *part) sourceComputed(ri RunInfo, extra ...string) string {
	s := p.l.Sprintf("来源：hongbao 仓库中的事件数据（计算值），规模 %s", "Source: hongbao warehouse event data (computed), scale %s", sig(ri.Scale, 4))
	for _, e := range extra {
		s += p.l.Pick("；", "; ") + e
	}
	return s + p.l.Pick("。", ".")
}

// data shows a string the events carry (a scenario or bank code no reference table
// names) as text the part's font draws: a character it has no glyph for, a control
// character or an invisible format character (a bidirectional override) is written as
// \u{XX}. A producer's odd code then shows as what it is instead of stopping the report
// at a missing glyph.
func (p *part) data(s string) string {
	return textwrap.Escape(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || p.fam.Regular.Covers(string(r)) != nil
	})
}

// ref picks reference-data text (a fact's title, a note, a bank's name) for
// the part's language. English reference text may quote the Chinese original
// ("participation (人次參與)"); a font without Chinese drops the quotes, so
// English reports need no Chinese font.
func (p *part) ref(zh, en string) string {
	if p.l == Chinese {
		return zh
	}
	if p.fam.Regular.Covers(en) == nil {
		return en
	}
	en = hanListed.ReplaceAllString(en, "")
	en = hanQuote.ReplaceAllString(en, "")
	return strings.TrimSpace(hanRun.ReplaceAllString(en, ""))
}

var (
	hanQuote  = regexp.MustCompile(`\s*[(（][^()（）]*\p{Han}[^()（）]*[)）]`)     // " (人次參與)"
	hanListed = regexp.MustCompile(`,\s*\p{Han}[\p{Han}\x{3000}-\x{303F}]*`) // "'too slow', 手慢了"
	hanRun    = regexp.MustCompile(`\p{Han}+`)
)

// bound is the prefix of a reported value's bound: ">" or "~".
func bound(b string) string {
	switch b {
	case ">", "~":
		return b
	}
	return ""
}

// provider names a provider.
func (p *part) provider(name string) string {
	switch name {
	case wechatPay:
		return p.l.Pick("微信支付", "WeChat Pay")
	case alipay:
		return p.l.Pick("支付宝", "Alipay")
	}
	return name
}

// providerColor is WeChat green or Alipay blue.
func providerColor(p string) color.Color {
	if p == alipay {
		return chart.Palette[1]
	}
	return chart.Palette[0]
}

// percentFormat formats a percentage axis or bar value (78 → "78%").
func percentFormat(v float64) string { return locale.Number(v) + "%" }

// percent1 formats a percentage with one decimal (78.04 → "78.0%").
func percent1(v float64) string { return pct(v / 100) }

// dayLabel names a day of the festival: "1月30日 除夕" or "Jan 30 (Eve)".
func (p *part) dayLabel(t time.Time) string {
	l, w := p.l, p.d.Method.Run.Windows
	zh, en := t.Format("1月2日"), t.Format("Jan 2")
	switch {
	case sameDay(t, w.EveStart):
		zh, en = zh+" 除夕", en+" (Eve)"
	case sameDay(t, w.PeakMinute):
		zh, en = zh+" 初一", en+" (Day 1)"
	}
	return l.Pick(zh, en)
}

// verdict words a facts-sheet verdict.
func (p *part) verdict(v string) string {
	switch v {
	case string(facts.Reproduced):
		return p.l.Pick("已再现", "reproduced")
	case string(facts.NotReproduced):
		return p.l.Pick("未再现", "not reproduced")
	}
	return v
}

// val formats a computed or expected value: whole numbers from 1,000 up,
// four significant digits below, so small scales do not round to 0.
func val(v float64) string {
	if math.Abs(v) >= 1000 {
		return locale.Number(math.Round(v))
	}
	return sig(v, 4)
}
