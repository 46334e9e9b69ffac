package query

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/hongbao/hongbao/internal/textwrap"
)

// Format names a way to print a Result.
type Format string

// The formats Result.Write knows.
const (
	FormatTable    Format = "table"    // aligned columns for a terminal
	FormatCSV      Format = "csv"      // RFC 4180 with a header row; NULL is empty
	FormatJSON     Format = "json"     // an array of objects, numbers as numbers, NULL as null
	FormatMarkdown Format = "markdown" // a GitHub-flavoured Markdown table

	// FormatParquet is for files only (Export): zstd Parquet with DuckDB's own types.
	FormatParquet Format = "parquet"
)

// Formats returns the format names, for flag help and error messages.
func Formats() []string {
	return []string{string(FormatTable), string(FormatCSV), string(FormatJSON), string(FormatMarkdown)}
}

// FileFormats returns the formats Export writes: Formats() and parquet.
func FileFormats() []string { return append(Formats(), string(FormatParquet)) }

// ParseFormat returns the Format named s, or ErrUnknownFormat. It accepts the names of
// FileFormats(); Result.Write refuses parquet.
func ParseFormat(s string) (Format, error) {
	for _, f := range FileFormats() {
		if s == f {
			return Format(f), nil
		}
	}
	return "", fmt.Errorf("%w %q: use one of %s", ErrUnknownFormat, s, strings.Join(Formats(), ", "))
}

// FormatForFile is the format a file's extension names: .csv, .json, .parquet, .md or
// .markdown; table for any other.
func FormatForFile(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return FormatCSV
	case ".json":
		return FormatJSON
	case ".parquet":
		return FormatParquet
	case ".md", ".markdown":
		return FormatMarkdown
	}
	return FormatTable
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
		err = r.writeJSON(bw)
	case FormatMarkdown:
		r.writeMarkdown(bw)
	case FormatParquet:
		err = fmt.Errorf("%w %q: Parquet is a file format: use Export", ErrUnknownFormat, f)
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

// cells renders every column name and value with escape (a NULL as NULL), and returns the cells and the width of each
// column in terminal cells (header included).
func (r *Result) cells(escape func(string) string) (head []string, body [][]string, widths []int) {
	widths = make([]int, len(r.Columns))
	head = make([]string, len(r.Columns))
	for c, name := range r.Columns {
		head[c] = escape(name)
		widths[c] = textwrap.DisplayWidth(head[c])
	}
	body = make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		body[i] = make([]string, len(row))
		for c, v := range row {
			body[i][c] = "NULL"
			if v.Kind != KindNull {
				body[i][c] = escape(v.Text)
			}
			widths[c] = max(widths[c], textwrap.DisplayWidth(body[i][c]))
		}
	}
	return head, body, widths
}

// pad fills s with spaces to w terminal cells, on the left when right is set.
func pad(s string, w int, right bool) string {
	fill := strings.Repeat(" ", max(0, w-textwrap.DisplayWidth(s)))
	if right {
		return fill + s
	}
	return s + fill
}

// escapeControls keeps one value on one line; textwrap.Inert then shows what else a
// terminal would act on. A value read from the lake came from Kafka, and anyone who can
// produce to the topic chose its text.
var escapeControls = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

func (r *Result) writeTable(w *bufio.Writer) {
	head, body, widths := r.cells(func(s string) string { return textwrap.Inert(escapeControls.Replace(s), false) })
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
	case r.More && r.Total > int64(n):
		fmt.Fprintf(w, "(first %d of %d rows)\n", n, r.Total)
	case r.More:
		fmt.Fprintf(w, "(first %d rows; more not shown)\n", n)
	case n == 1:
		w.WriteString("(1 row)\n")
	default:
		fmt.Fprintf(w, "(%d rows)\n", n)
	}
}

func (r *Result) writeCSV(w io.Writer) error {
	return r.stream(newCSVRows(w))
}

func (r *Result) writeJSON(w io.Writer) error {
	return r.stream(newJSONRows(w))
}

// stream writes r through a RowWriter.
func (r *Result) stream(rw RowWriter) error {
	if err := rw.Header(r.Columns, r.Types); err != nil {
		return err
	}
	for _, row := range r.Rows {
		if err := rw.Row(row); err != nil {
			return err
		}
	}
	return rw.Close()
}

// RowWriter writes query results one row at a time, in a format that needs no look at
// later rows: CSV or JSON. QueryEach feeds it, so that an export of any size holds one
// row in memory.
type RowWriter interface {
	Header(columns, types []string) error
	Row(row []Value) error
	Close() error // writes what ends the output and flushes; it does not close the io.Writer
}

// NewRowWriter returns the RowWriter of format f, which must be FormatCSV or FormatJSON:
// the other formats align columns and so need every row first (Result.Write).
func NewRowWriter(w io.Writer, f Format) (RowWriter, error) {
	switch f {
	case FormatCSV:
		return newCSVRows(w), nil
	case FormatJSON:
		return newJSONRows(w), nil
	}
	return nil, fmt.Errorf("%w %q: rows stream only as %s or %s", ErrUnknownFormat, f, FormatCSV, FormatJSON)
}

// csvRows writes RFC 4180 CSV with a header row; NULL is empty.
type csvRows struct {
	cw  *csv.Writer
	rec []string
}

func newCSVRows(w io.Writer) *csvRows { return &csvRows{cw: csv.NewWriter(w)} }

func (c *csvRows) Header(columns, _ []string) error {
	c.rec = make([]string, len(columns))
	return c.cw.Write(columns)
}

func (c *csvRows) Row(row []Value) error {
	for i, v := range row {
		c.rec[i] = v.Text
	}
	return c.cw.Write(c.rec)
}

func (c *csvRows) Close() error {
	c.cw.Flush()
	return c.cw.Error()
}

// jsonRows writes an array of objects, one a line.
type jsonRows struct {
	w       *bufio.Writer
	columns []string
	n       int
}

func newJSONRows(w io.Writer) *jsonRows {
	if bw, ok := w.(*bufio.Writer); ok {
		return &jsonRows{w: bw}
	}
	return &jsonRows{w: bufio.NewWriter(w)}
}

func (j *jsonRows) Header(columns, _ []string) error {
	j.columns = make([]string, len(columns))
	for i, c := range columns {
		j.columns[i] = jsonString(c)
	}
	return nil
}

func (j *jsonRows) Row(row []Value) error {
	if j.n == 0 {
		j.w.WriteString("[\n  {")
	} else {
		j.w.WriteString(",\n  {")
	}
	j.n++
	for c, v := range row {
		if c > 0 {
			j.w.WriteString(", ")
		}
		j.w.WriteString(j.columns[c])
		j.w.WriteString(": ")
		j.w.WriteString(v.jsonText())
	}
	_, err := j.w.WriteString("}")
	return err
}

func (j *jsonRows) Close() error {
	if j.n == 0 {
		j.w.WriteString("[]\n")
	} else {
		j.w.WriteString("\n]\n")
	}
	return j.w.Flush()
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
	head, body, widths := r.cells(func(s string) string { return textwrap.Inert(escapeMarkdown.Replace(s), false) })
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
