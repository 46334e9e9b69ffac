package chart

import (
	"strings"
	"time"

	"gonum.org/v1/plot"

	"github.com/hongbao/hongbao/internal/locale"
)

// NumberTicks returns the ticks the charts put on a numeric axis from lo to hi:
// about target labelled ticks at round steps (1, 2, 2.5 or 5 times a power of
// ten), labelled by format (locale.Number if nil), and an unlabelled minor tick
// between each pair. Exported for charts drawn without gonum/plot (the
// notebooks' SVG), so both kinds of chart mark their axes alike.
func NumberTicks(lo, hi float64, target int, format func(float64) string) []plot.Tick {
	return numberTicks{format: numberFormat(format), target: target}.Ticks(lo, hi)
}

// TimeTicks returns the ticks the charts put on a time axis from first to last,
// in Asia/locale.Zone: at most maxMajor labelled ticks at round times, their
// Values in Unix seconds, unlabelled minor ticks between. A label has a second
// line with the date where the date changes ("00:00\n01-31").
func TimeTicks(first, last time.Time, maxMajor int) []plot.Tick {
	ticks := timeTicks{loc: locale.Zone, maxMajor: maxMajor}.Ticks(float64(first.Unix()), float64(last.Unix()))
	for i := range ticks {
		// The blank second line only aligns labels inside gonum/plot.
		ticks[i].Label = strings.TrimSuffix(ticks[i].Label, "\n ")
	}
	return ticks
}
