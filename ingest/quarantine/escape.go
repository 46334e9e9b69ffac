package quarantine

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/hongbao/hongbao/internal/textwrap"
)

// Printable shows bytes on one line of a terminal, whatever they hold: printable UTF-8
// as itself, a backslash, newline, carriage return and tab as \\ \n \r \t, other control
// or invisible characters as \u{XXXX}, and bytes that are not UTF-8 as \xNN. With
// maxCells > 0 the text is cut to that many terminal cells, ending in "…" and the total
// size, so a 16 MiB message prints as one short line.
func Printable(b []byte, maxCells int) string {
	out := make([]byte, 0, min(len(b), 256)+8)
	cells := 0
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		var piece string
		switch {
		case r == utf8.RuneError && size <= 1:
			piece = fmt.Sprintf(`\x%02X`, b[i])
		case r == '\\':
			piece = `\\`
		case r == '\n':
			piece = `\n`
		case r == '\r':
			piece = `\r`
		case r == '\t':
			piece = `\t`
		case !unicode.IsPrint(r):
			piece = `\u{` + strconv.FormatInt(int64(r), 16) + `}`
		default:
			piece = string(b[i : i+size])
		}
		w := textwrap.DisplayWidth(piece)
		if maxCells > 0 && cells+w > maxCells-1 && i+size < len(b) {
			return string(out) + "…" + fmt.Sprintf(" (%d bytes)", len(b))
		}
		out = append(out, piece...)
		cells += w
		i += size
	}
	return string(out)
}
