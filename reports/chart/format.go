package chart

import (
	"strings"

	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/textwrap"
)

// numberFormat is format, or locale.Number when format is nil.
func numberFormat(format func(float64) string) func(float64) string {
	if format == nil {
		return locale.Number
	}
	return format
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
