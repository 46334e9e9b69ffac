package textwrap

import (
	"strconv"
	"strings"
	"unicode"
)

// actsOnTerminal reports whether a terminal would act on r instead of showing it: a
// control character (ESC and the 8-bit CSI start the sequences that move the cursor,
// recolour, retitle the window or write the clipboard; BEL rings; CR returns to the
// start of the line) or a bidirectional override, which reorders the text around it.
func actsOnTerminal(r rune) bool {
	return unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// Inert returns s with each character a terminal would act on written as \u{XX}, so
// that text from data (a value producers wrote, a message that quotes one) shows as
// text. With keepLines, line breaks and tabs stay as they are, for a message of several
// lines. Text without such characters is returned as it is.
func Inert(s string, keepLines bool) string {
	return Escape(s, func(r rune) bool { return actsOnTerminal(r) && !(keepLines && (r == '\n' || r == '\t')) })
}

// Escape returns s with each character for which escape is true written as \u{XX}, the
// notation of Inert; text without such characters is returned as it is.
func Escape(s string, escape func(rune) bool) string {
	if !strings.ContainsFunc(s, escape) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if escape(r) {
			b.WriteString(`\u{` + strconv.FormatInt(int64(r), 16) + `}`)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
