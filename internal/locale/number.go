package locale

import (
	"math"
	"strconv"
	"strings"
)

// Group puts a comma between each three digits of the integer part of a decimal
// number as written: "75000000.5" → "75,000,000.5", "-1234" → "-1,234". Anything
// else (an exponent, NaN, text) comes back unchanged. Every other formatter here
// ends in it, so the figures of the facts sheet, the report, the notebooks and the
// command line group their digits alike.
func Group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	if len(whole) < 4 || strings.Trim(whole, "0123456789") != "" || strings.ContainsAny(frac, "eE") {
		return sign + s
	}
	var b strings.Builder
	for i := range len(whole) {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(whole[i])
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return sign + b.String()
}

// Int formats a count: 7969 → "7,969".
func Int(n int64) string { return Group(strconv.FormatInt(n, 10)) }

// Fixed formats v with exactly decimals digits after the point, digits grouped:
// Fixed(7969.4, 0) → "7,969", Fixed(10.7, 2) → "10.70". A value that rounds to zero
// loses its minus sign.
func Fixed(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	s := strconv.FormatFloat(math.Abs(v), 'f', decimals, 64)
	if v < 0 && strings.Trim(s, "0.") != "" {
		s = "-" + s
	}
	return Group(s)
}

// Number formats v with at most two decimals, trailing zeros dropped, digits grouped:
// 1234567 → "1,234,567", 0.25 → "0.25", -1500.5 → "-1,500.5". It is the default for
// figures whose precision the reader does not need spelled out: chart ticks, bar
// values, amounts in a sentence.
func Number(v float64) string {
	s := Fixed(v, 2)
	if whole, frac, ok := strings.Cut(s, "."); ok {
		if frac = strings.TrimRight(frac, "0"); frac == "" {
			return whole
		}
		return whole + "." + frac
	}
	return s
}
