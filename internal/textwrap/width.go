package textwrap

import (
	"unicode"

	eaw "golang.org/x/text/width"
)

// DisplayWidth returns how many terminal cells s takes: East Asian wide and full-width
// characters (汉字, full-width punctuation) take two, combining marks and zero-width
// characters none, everything else one.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case isWide(eaw.LookupRune(r).Kind()):
			n += 2
		default:
			n++
		}
	}
	return n
}

func isWide(k eaw.Kind) bool { return k == eaw.EastAsianWide || k == eaw.EastAsianFullwidth }
