package notebooks

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/query"
)

//go:embed page.css
var pageCSS string

// WriteHTML writes run as one self-contained HTML page: styles inline, charts as inline
// SVG whose texts the browser draws with its own fonts, no script and nothing fetched,
// so the file can be mailed or archived as is.
func WriteHTML(w io.Writer, run *Run) error {
	return page.Execute(w, newPageData(run))
}

type pageData struct {
	Title     string
	Name      string
	Warehouse string
	Started   string
	Elapsed   string
	Cells     int
	Failed    []*CellRun
	Blocks    []pageBlock
	CSS       template.CSS
}

type pageBlock struct {
	Prose template.HTML
	Cell  *pageCell
}

type pageCell struct {
	*CellRun
	Status  string
	Time    string
	Error   string
	Chart   template.HTML // the <svg> element, its every text escaped by Draw
	Columns []pageColumn
	Rows    [][]pageValue
	Note    string // under the table: how many rows there were
}

type pageColumn struct {
	Name, Type string
	Right      bool
}

type pageValue struct {
	Text  string
	Null  bool
	Right bool
	Time  bool // a time, kept on one line
	Long  bool // long text, which may break anywhere rather than widen the table
}

func newPageData(run *Run) pageData {
	d := pageData{
		Title:     run.Notebook.Title,
		Name:      run.Notebook.Name,
		Warehouse: run.Warehouse,
		Started:   run.Started.In(locale.Zone).Format("2006-01-02 15:04:05 MST"),
		Elapsed:   seconds(run.Elapsed),
		Cells:     len(run.Cells),
		Failed:    run.Failed(),
		CSS:       template.CSS(pageCSS),
	}
	byCell := map[*Cell]*CellRun{}
	for _, c := range run.Cells {
		byCell[c.Cell] = c
	}
	for _, b := range run.Notebook.Blocks {
		if b.Cell == nil {
			d.Blocks = append(d.Blocks, pageBlock{Prose: template.HTML(b.HTML)}) // goldmark output, raw HTML omitted
			continue
		}
		if cr := byCell[b.Cell]; cr != nil {
			d.Blocks = append(d.Blocks, pageBlock{Cell: newPageCell(cr)})
		}
	}
	return d
}

func newPageCell(cr *CellRun) *pageCell {
	pc := &pageCell{CellRun: cr, Status: "ok", Time: seconds(cr.Elapsed)}
	if cr.Err != nil {
		pc.Status = "failed"
		pc.Error = cr.Err.Error()
	}
	if cr.Chart != nil {
		pc.Chart = template.HTML(cr.Chart)
	}
	res := cr.Result
	if res == nil {
		return pc
	}
	right := make([]bool, len(res.Columns))
	group := make([]bool, len(res.Columns))
	for c := range res.Columns {
		right[c] = numericColumn(res, c)
		group[c] = right[c] && bigNumbers(res, c, cr.Show)
		pc.Columns = append(pc.Columns, pageColumn{Name: res.Columns[c], Type: res.Types[c], Right: right[c]})
	}
	for i, row := range res.Rows {
		if i == cr.Show {
			break
		}
		vals := make([]pageValue, len(row))
		for c, v := range row {
			vals[c] = pageValue{Text: v.Text, Null: v.Kind == query.KindNull, Right: right[c], Time: isTimeType(res.Types[c]),
				Long: len(v.Text) > 48}
			if v.Kind == query.KindNumber && group[c] {
				vals[c].Text = locale.Group(v.Text)
			}
			if vals[c].Null {
				vals[c].Text = "NULL"
			}
		}
		pc.Rows = append(pc.Rows, vals)
	}
	total := res.Total
	switch {
	case len(res.Columns) == 0:
	case total == 0:
		pc.Note = "No rows."
	case int64(len(pc.Rows)) < total:
		pc.Note = fmt.Sprintf("The first %s of %s rows.", locale.Int(int64(len(pc.Rows))), locale.Int(total))
	case total == 1:
		pc.Note = "1 row."
	default:
		pc.Note = locale.Int(total) + " rows."
	}
	return pc
}

// numericColumn reports whether column c holds numbers only, which align right.
func numericColumn(res *query.Result, c int) bool {
	seen := false
	for _, row := range res.Rows {
		switch row[c].Kind {
		case query.KindNull:
		case query.KindNumber:
			seen = true
		default:
			return false
		}
	}
	return seen
}

func seconds(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// bigNumbers reports whether a shown value of column c has five digits or more before
// the point: then the column's numbers are grouped (1,170,580), all of them alike, while a
// column of years or small counts stays as it is.
func bigNumbers(res *query.Result, c, shown int) bool {
	for i, row := range res.Rows {
		if i == shown {
			break
		}
		whole, _, _ := strings.Cut(strings.TrimPrefix(row[c].Text, "-"), ".")
		if row[c].Kind == query.KindNumber && len(whole) >= 5 {
			return true
		}
	}
	return false
}

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hongbao notebook">
<title>{{.Title}}</title>
<style>{{.CSS}}</style>
</head>
<body>
<main>
<header class="run">
<p>Notebook <b>{{.Name}}</b>, run {{.Started}} against <code>{{.Warehouse}}</code>:
{{.Cells}} cells{{if .Failed}}, <span class="bad">{{len .Failed}} failed</span>{{else}}, all ok{{end}}, in {{.Elapsed}}.</p>
{{- if .Failed}}
<p class="bad">Failed: {{range $i, $c := .Failed}}{{if $i}}, {{end}}<a href="#{{$c.Cell.Name}}">{{$c.Cell.Name}}</a>{{end}}.</p>
{{- end}}
</header>
{{range .Blocks}}{{if .Cell}}{{with .Cell}}
<section class="cell {{.Status}}" id="{{.Cell.Name}}">
<div class="cell-head"><a class="cell-name" href="#{{.Cell.Name}}">[{{.Cell.Index}}] {{.Cell.Name}}</a><span class="status">{{.Status}}</span><span class="time">{{.Time}}</span></div>
<pre class="sql"><code>{{.Cell.SQL}}</code></pre>
{{- if .Error}}
<div class="error" role="alert"><pre>{{.Error}}</pre></div>
{{- end}}
{{- if .Chart}}
<figure class="chart">{{.Chart}}</figure>
{{- end}}
{{- if .Columns}}
<div class="result"><table>
<thead><tr>{{range .Columns}}<th{{if .Right}} class="num"{{end}} title="{{.Type}}">{{.Name}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range .}}<td{{if .Right}} class="num"{{else if .Time}} class="time"{{else if .Long}} class="long"{{end}}>{{if .Null}}<span class="null">NULL</span>{{else}}{{.Text}}{{end}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table></div>
{{- end}}
{{- if .Note}}
<p class="note">{{.Note}}</p>
{{- end}}
</section>
{{end}}{{else}}
<section class="prose">
{{.Prose}}</section>
{{end}}{{end}}
<footer><p>Written by <code>hongbao notebook run {{.Name}}</code>. Times are Beijing time (Asia/Shanghai); money in the warehouse is in fen (100 fen = 1 yuan).</p></footer>
</main>
</body>
</html>
`))
