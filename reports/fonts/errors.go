package fonts

import (
	"errors"
	"fmt"
	"strings"
)

// ErrNoChineseFont reports that no font able to draw Chinese, Latin letters and
// digits was found; its message is a sentence meant for the user.
var ErrNoChineseFont = errors.New("no usable Chinese font found: install one with `apt-get install fonts-wqy-microhei`, or set HONGBAO_FONT to a TrueType font file (.ttf or .ttc) that covers Chinese, Latin letters and digits")

// ErrNotTrueType reports a font whose outlines are not TrueType glyf outlines
// (for example CFF-based OpenType such as Noto CJK), which fpdf cannot embed.
var ErrNotTrueType = errors.New("font has no TrueType (glyf) outlines; CFF/OpenType-CFF fonts such as Noto CJK cannot be embedded in the PDF")

// ErrBadFont reports data that is not a readable sfnt font or collection.
var ErrBadFont = errors.New("not a readable TrueType font")

// MissingGlyphsError reports runes that a font cannot draw. Renderers return it
// instead of writing output in which the runes would vanish (gonum/plot) or
// turn into boxes (fpdf).
type MissingGlyphsError struct {
	Font    string // family name of the font that lacks the glyphs
	Missing []rune // each missing rune once, in order of first use
	Text    string // the text that needed them
}

func (e *MissingGlyphsError) Error() string {
	quoted := make([]string, len(e.Missing))
	for i, r := range e.Missing {
		quoted[i] = fmt.Sprintf("%q (U+%04X)", r, r)
	}
	text := e.Text
	if r := []rune(text); len(r) > 40 {
		text = string(r[:40]) + "…"
	}
	return fmt.Sprintf("font %q has no glyph for %s in %q", e.Font, strings.Join(quoted, ", "), text)
}
