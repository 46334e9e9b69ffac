package transform

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Format names a way to print a Result.
type Format string

// The formats Result.Write knows.
const (
	FormatTable    Format = "table"    // aligned columns for a terminal
	FormatCSV      Format = "csv"      // RFC 4180 with a header row; NULL is empty
	FormatJSON     Format = "json"     // an array of objects, numbers as numbers, NULL as null
	FormatMarkdown Format = "markdown" // a GitHub-flavoured Markdown table
)

// Formats returns the format names, for flag help and error messages.
func Formats() []string {
	return []string{string(FormatTable), string(FormatCSV), string(FormatJSON), string(FormatMarkdown)}
}

// ParseFormat returns the Format named s, or ErrUnknownFormat.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if s == f {
			return Format(f), nil
		}
	}
	return "", fmt.Errorf("%w %q: use one of %s", ErrUnknownFormat, s, strings.Join(Formats(), ", "))
}

// Write prints r to w in format f.
func (r *Result) Write(w io.Writer, f Format) error {
	bw := bufio.NewWriter(w)
	var err error
	switch f {
	case FormatTable:
		r.writeTable(bw)
	case FormatCSV:
		err = r.writeCSV(bw)
	case FormatJSON:
		r.writeJSON(bw)
	case FormatMarkdown:
		r.writeMarkdown(bw)
	default:
		_, err = ParseFormat(string(f))
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// rightAligned reports, per column, whether it holds numbers only: those align right
// so that digits line up.
func (r *Result) rightAligned() []bool {
	right := make([]bool, len(r.Columns))
	for c := range r.Columns {
		seen := false
		right[c] = true
		for _, row := range r.Rows {
			switch row[c].Kind {
			case KindNull:
			case KindNumber:
				seen = true
			default:
				right[c] = false
			}
		}
		right[c] = right[c] && seen
	}
	return right
}

// cells renders every value with show, and returns the cells and the width of each
// column in terminal cells (header included).
func (r *Result) cells(show func(Value) string, header func(string) string) (head []string, body [][]string, widths []int) {
	widths = make([]int, len(r.Columns))
	head = make([]string, len(r.Columns))
	for c, name := range r.Columns {
		head[c] = header(name)
		widths[c] = DisplayWidth(head[c])
	}
	body = make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		body[i] = make([]string, len(row))
		for c, v := range row {
			body[i][c] = show(v)
			widths[c] = max(widths[c], DisplayWidth(body[i][c]))
		}
	}
	return head, body, widths
}

// pad fills s with spaces to w terminal cells, on the left when right is set.
func pad(s string, w int, right bool) string {
	fill := strings.Repeat(" ", max(0, w-DisplayWidth(s)))
	if right {
		return fill + s
	}
	return s + fill
}

// escapeControls keeps one value on one line.
var escapeControls = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

func (r *Result) writeTable(w *bufio.Writer) {
	show := func(v Value) string {
		if v.Kind == KindNull {
			return "NULL"
		}
		return escapeControls.Replace(v.Text)
	}
	head, body, widths := r.cells(show, escapeControls.Replace)
	right := r.rightAligned()
	line := func(cells []string) {
		parts := make([]string, len(cells))
		for c, s := range cells {
			parts[c] = pad(s, widths[c], right[c])
		}
		w.WriteString(strings.TrimRight(strings.Join(parts, "  "), " ") + "\n")
	}
	if len(r.Columns) > 0 {
		line(head)
		rules := make([]string, len(widths))
		for c, n := range widths {
			rules[c] = strings.Repeat("-", n)
		}
		line(rules)
		for _, cells := range body {
			line(cells)
		}
	}
	switch n := len(r.Rows); {
	case r.More:
		fmt.Fprintf(w, "(first %d rows; more not shown)\n", n)
	case n == 1:
		w.WriteString("(1 row)\n")
	default:
		fmt.Fprintf(w, "(%d rows)\n", n)
	}
}

func (r *Result) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.Columns); err != nil {
		return err
	}
	rec := make([]string, len(r.Columns))
	for _, row := range r.Rows {
		for c, v := range row {
			rec[c] = v.Text
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func (r *Result) writeJSON(w *bufio.Writer) {
	if len(r.Rows) == 0 {
		w.WriteString("[]\n")
		return
	}
	w.WriteString("[\n")
	for i, row := range r.Rows {
		w.WriteString("  {")
		for c, v := range row {
			if c > 0 {
				w.WriteString(", ")
			}
			w.WriteString(jsonString(r.Columns[c]))
			w.WriteString(": ")
			w.WriteString(v.jsonText())
		}
		w.WriteString("}")
		if i < len(r.Rows)-1 {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	w.WriteString("]\n")
}

// jsonText is v as a JSON value.
func (v Value) jsonText() string {
	switch {
	case v.json != "":
		return v.json
	case v.Kind == KindNull:
		return "null"
	case v.Kind == KindNumber || v.Kind == KindBool || v.Kind == KindJSON:
		return v.Text
	default:
		return jsonString(v.Text)
	}
}

// jsonString quotes s without escaping <, > and & (nobody embeds this output in HTML).
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

var escapeMarkdown = strings.NewReplacer("|", `\|`, "\r\n", "<br>", "\n", "<br>", "\r", "<br>", "\t", " ")

func (r *Result) writeMarkdown(w *bufio.Writer) {
	if len(r.Columns) == 0 {
		return
	}
	show := func(v Value) string {
		if v.Kind == KindNull {
			return "NULL"
		}
		return escapeMarkdown.Replace(v.Text)
	}
	head, body, widths := r.cells(show, escapeMarkdown.Replace)
	right := r.rightAligned()
	for c := range widths {
		widths[c] = max(widths[c], 3) // a rule needs three dashes
	}
	line := func(cells []string) {
		w.WriteString("|")
		for c, s := range cells {
			w.WriteString(" " + pad(s, widths[c], right[c]) + " |")
		}
		w.WriteString("\n")
	}
	line(head)
	w.WriteString("|")
	for c, n := range widths {
		if right[c] {
			w.WriteString(" " + strings.Repeat("-", n-1) + ": |")
		} else {
			w.WriteString(" " + strings.Repeat("-", n) + " |")
		}
	}
	w.WriteString("\n")
	for _, cells := range body {
		line(cells)
	}
}

// DisplayWidth returns how many terminal cells s takes: East Asian wide and full-width
// characters (汉字, full-width punctuation) take two, combining marks and zero-width
// characters none, everything else one.
func DisplayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		case isWide(width.LookupRune(r).Kind()):
			n += 2
		default:
			n++
		}
	}
	return n
}

func isWide(k width.Kind) bool { return k == width.EastAsianWide || k == width.EastAsianFullwidth }
