package chart

import (
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/textwrap"
)

// FormatNumber formats v with thousands separators and at most two decimals,
// trailing zeros dropped: 1234567 → "1,234,567", 0.25 → "0.25", -1500.5 →
// "-1,500.5". It is the default for axis ticks and bar values.
func FormatNumber(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', 2, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	frac = strings.TrimRight(frac, "0")
	var b strings.Builder
	if v < 0 && (intPart != "0" || frac != "") {
		b.WriteByte('-')
	}
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// wrap breaks s into lines no wider than width when drawn with sty.
func wrap(s string, sty text.Style, width vg.Length) string {
	measure := func(s string) float64 { return float64(sty.Width(s)) }
	return strings.Join(textwrap.Lines(s, measure, float64(width)), "\n")
}

// wrapBalanced wraps s like wrap, into lines as even as possible.
func wrapBalanced(s string, sty text.Style, width vg.Length) string {
	measure := func(s string) float64 { return float64(sty.Width(s)) }
	return strings.Join(textwrap.Balanced(s, measure, float64(width)), "\n")
}
