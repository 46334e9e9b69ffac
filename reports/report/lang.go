package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hongbao/hongbao/internal/locale"
)

// Lang is the language of one part of the report.
type Lang = locale.Lang

// The languages a report part can be written in.
const (
	Chinese = locale.Chinese
	English = locale.English
)

// langs resolves the --lang value: zh, en, or both (Chinese part first).
func langs(s string) ([]Lang, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "both":
		return []Lang{Chinese, English}, nil
	case "zh":
		return []Lang{Chinese}, nil
	case "en":
		return []Lang{English}, nil
	}
	return nil, fmt.Errorf("%w: %q (want zh, en or both)", ErrLang, s)
}

// pct formats a share (0.78) as a percentage with one decimal ("78.0%").
func pct(share float64) string {
	if math.IsNaN(share) || math.IsInf(share, 0) {
		return "–"
	}
	return strconv.FormatFloat(share*100, 'f', 1, 64) + "%"
}

// sig formats v with at most n significant digits and no exponent: the scale
// 0.01 reads "0.01", not "1e-02".
func sig(v float64, n int) string {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	d := n - 1 - int(math.Floor(math.Log10(math.Abs(v))))
	if d < 0 {
		d = 0
	}
	p := math.Pow(10, float64(d))
	return strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
}

// yuan formats fen as yuan with two decimals.
func yuan(fen float64) string {
	return locale.Number(math.Round(fen) / 100)
}

// share returns part/whole, or 0 when whole is 0.
func share(part, whole float64) float64 {
	if whole == 0 {
		return 0
	}
	return part / whole
}
