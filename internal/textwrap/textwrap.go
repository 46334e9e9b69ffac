package textwrap

import (
	"strings"
	"unicode"
)

// noLineStart holds punctuation that must not begin a line.
const noLineStart = "，。、；：？！）》」』】〕…%,.;:?!)]}"

// noLineEnd holds punctuation that must not end a line.
const noLineEnd = "（《「『【〔([{"

// Lines breaks s into lines whose measured width is at most width. measure
// returns the drawn width of a string. Newlines in s are kept as breaks;
// spaces at a break are dropped; a word wider than width is broken between
// runes. Lines never returns a line wider than width unless a single rune is.
func Lines(s string, measure func(string) float64, width float64) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, lines([]rune(para), measure, width)...)
	}
	return out
}

func lines(rs []rune, measure func(string) float64, width float64) []string {
	var out []string
	if len(rs) == 0 {
		return []string{""}
	}
	for len(rs) > 0 {
		if measure(string(rs)) <= width {
			out = append(out, strings.TrimRightFunc(string(rs), unicode.IsSpace))
			break
		}
		// Binary search for the longest prefix that fits (widths grow with length).
		lo, hi := 1, len(rs)
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if measure(string(rs[:mid])) <= width {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		cut := breakAt(rs, lo)
		out = append(out, strings.TrimRightFunc(string(rs[:cut]), unicode.IsSpace))
		rs = rs[cut:]
		for len(rs) > 0 && unicode.IsSpace(rs[0]) {
			rs = rs[1:]
		}
	}
	return out
}

// breakAt returns the largest index i ≤ n, i > 0, at which rs may be broken; n is at
// least 1, and all of rs when rs is one rune wider than the width.
func breakAt(rs []rune, n int) int {
	if n >= len(rs) {
		return len(rs)
	}
	for i := n; i > 0; i-- {
		prev, next := rs[i-1], rs[i]
		if strings.ContainsRune(noLineStart, next) || strings.ContainsRune(noLineEnd, prev) {
			continue
		}
		if unicode.IsSpace(prev) || unicode.IsSpace(next) || wide(prev) || wide(next) {
			return i
		}
	}
	return n // one long word: break it anywhere
}

// wide reports runes next to which a line may break without a space: Han,
// kana and full-width forms.
func wide(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF00 && r <= 0xFFEF)
}

// Balanced breaks s into as few lines as Lines does at width, with the lines
// as even as possible, so that no line holds a lone word or character. For
// titles, headings and labels; body text reads better greedy.
func Balanced(s string, measure func(string) float64, width float64) []string {
	greedy := Lines(s, measure, width)
	if len(greedy) <= 1 {
		return greedy
	}
	lo, hi := width/float64(len(greedy)), width
	for range 24 {
		mid := (lo + hi) / 2
		if len(Lines(s, measure, mid)) > len(greedy) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return Lines(s, measure, hi)
}
