package facts

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/query"
)

// Formats lists the output formats of a sheet.
var Formats = []string{"table", "markdown", "csv", "json"}

type labels struct {
	id, title, reported, expected, computed, diff, verdict, source, note, checks, scale, query string
	evidence, reading, agrees, contradicts                                                     string
	verdicts                                                                                   map[Verdict]string
}

// labels are the sheet's headings and words, in its language.
func (s *Sheet) labels() labels {
	l := locale.Lang(s.Lang)
	return labels{
		id: l.Pick("编号", "id"), title: l.Pick("数据", "figure"), reported: l.Pick("报道值", "reported"),
		expected: l.Pick("本规模期望值", "expected at this scale"), computed: l.Pick("计算值", "computed"),
		diff: l.Pick("差异", "difference"), verdict: l.Pick("结论", "verdict"), source: l.Pick("来源", "source"),
		note: l.Pick("口径", "reading"), checks: l.Pick("一致性核查", "Consistency checks"),
		scale: l.Pick("规模", "scale"), query: l.Pick("查询", "query"),
		evidence: l.Pick("解读与其他记录", "Readings and other records"), reading: l.Pick("解读", "reading"),
		agrees: l.Pick("相符", "agrees"), contradicts: l.Pick("不符", "contradicts"),
		verdicts: map[Verdict]string{
			Reproduced:    l.Pick("已复现", "reproduced"),
			NotReproduced: l.Pick("未复现", "not reproduced"),
			NotDerivable:  l.Pick("无法从事件推出", "not derivable"),
		},
	}
}

// Write prints the sheet in format (table, markdown, csv or json); showSQL adds the
// query of each figure.
func (s *Sheet) Write(w io.Writer, format string, showSQL bool) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(s)
	case "csv":
		return s.writeCSV(w)
	case "markdown":
		return s.writeMarkdown(w, showSQL)
	case "table":
		return s.writeTable(w, showSQL)
	}
	return fmt.Errorf("format %q is not one of %s", format, strings.Join(Formats, ", "))
}

func number(v float64) string {
	switch {
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return locale.Fixed(v, 0)
	case math.Abs(v) >= 100:
		return locale.Fixed(v, 1)
	default:
		return locale.Fixed(v, 2)
	}
}

func (r Result) computedText() string {
	if r.Shown != "" {
		return r.Shown
	}
	if r.Computed == nil {
		if r.Error != "" {
			return "error"
		}
		return "–"
	}
	if r.ID == "launch_date" {
		d := strconv.FormatFloat(*r.Computed, 'f', 0, 64)
		if len(d) == 8 {
			return d[:4] + "-" + d[4:6] + "-" + d[6:]
		}
	}
	return number(*r.Computed)
}

func (r Result) expectedText() string {
	if r.Verdict == NotDerivable {
		return "–"
	}
	if r.ID == "launch_date" {
		return r.Reported
	}
	if r.ID == "claim_size_range" || r.ID == "card_binding_required" || r.ID == "fake_envelope_links" {
		return r.Reported
	}
	prefix := ""
	if r.ID == "users_eve_to_day1" || r.ID == "claims_per_minute_avg_rounded" {
		prefix = "> "
	}
	return prefix + number(r.Expected)
}

func (r Result) diffText() string {
	if r.Difference == nil || r.ID == "launch_date" {
		return ""
	}
	return fmt.Sprintf("%+.2f%%", 100**r.Difference)
}

func (s *Sheet) rows(l labels) [][]string {
	var rows [][]string
	for _, r := range s.Results {
		rows = append(rows, []string{r.ID, r.Title, r.Reported, r.expectedText(), r.computedText(), r.diffText(), l.verdicts[r.Verdict]})
	}
	return rows
}

func (s *Sheet) header(l labels) []string {
	return []string{l.id, l.title, l.reported, l.expected, l.computed, l.diff, l.verdict}
}

func (s *Sheet) intro(labels) string {
	l := locale.Lang(s.Lang)
	src := l.Pick("真实数据（未找到 run.json，按规模 1 计）", "data without a run record (run.json): scale taken as 1")
	if s.HasRun {
		src = l.Sprintf("模拟数据，规模 %g，种子 %d", "simulated data, scale %g, seed %d", s.Scale, s.Seed)
	}
	judged := l.Pick("按解读"+s.Reading+"判断（生成数据的校准所采用的解读）", "Judged by reading "+s.Reading+" (the one of the calibration that made the data)")
	if s.Reading == "" {
		judged = l.Pick("注意：生成数据的校准模拟的是另一年份，不采用 2014 年数字的任何解读，以下结论把它与 2014 年的数字相比，仅供参考", "Note: the calibration that made the data models another year and follows no reading of the 2014 figures; the verdicts below set it against 2014's figures and mean little")
	}
	intro := l.Pick("报道值来源：中国电子商务研究中心监测数据，国际在线（2014）报道。计算值来自事件数据；"+src+"。"+judged+"。计数按规模缩放，均值不缩放；最大值按模型在该规模下的期望值判断。",
		"Reported: CECRC monitoring data as reported by CRI Online (國際在線), 2014. Computed: from the event data, "+src+". "+judged+". Counts are judged against the reported value × scale, means unscaled, a maximum against the model's expectation at that scale.")
	if s.Warning != "" {
		intro = l.Pick("注意：", "Warning: ") + s.Warning + l.Pick("。\n\n", ".\n\n") + intro
	}
	return intro
}

func (s *Sheet) writeTable(w io.Writer, showSQL bool) error {
	l := s.labels()
	res := &query.Result{Columns: s.header(l)}
	for _, row := range s.rows(l) {
		var vals []query.Value
		for _, c := range row {
			vals = append(vals, query.Value{Text: c, Kind: query.KindText})
		}
		res.Rows = append(res.Rows, vals)
	}
	fmt.Fprintln(w, s.intro(l))
	fmt.Fprintln(w)
	if err := res.Write(w, query.FormatTable); err != nil {
		return err
	}
	s.writeEvidence(w, l, "\n%s\n", "\n%s (%s %s): %s\n", "   %s %s — %s, %s: %s\n")
	fmt.Fprintf(w, "\n%s\n", l.checks)
	for _, c := range s.Checks {
		fmt.Fprintf(w, "\n%d. %s\n   %s\n   %s\n", c.ID, c.Title, c.Reported, c.Computed)
		if showSQL {
			fmt.Fprintf(w, "%s\n", indent(c.Query, "     "))
		}
	}
	if showSQL {
		s.writeQueries(w, "\n"+l.query+"\n", "\n-- %s\n%s;\n")
	}
	return nil
}

// writeEvidence writes, for every figure with a reading or other records, the reading
// it is judged by and each record, marked as agreeing with that reading or not.
func (s *Sheet) writeEvidence(w io.Writer, l labels, heading, figure, record string) {
	fmt.Fprintf(w, heading, l.evidence)
	for _, r := range s.Results {
		if r.Reading == "" && len(r.Corroboration) == 0 {
			continue
		}
		reading, text := r.Reading, r.ReadingText
		if r.Reading == "" {
			reading, text = "–", r.Window
		}
		fmt.Fprintf(w, figure, r.ID, l.reading, reading, text)
		for _, e := range r.Corroboration {
			mark, word := "✓", l.agrees
			if !e.Agrees {
				mark, word = "✗", l.contradicts
			}
			fmt.Fprintf(w, record, mark, e.Value, e.Source, word, e.Note)
		}
	}
}

// writeQueries writes heading, then the query of each figure that has one, by format
// (of the figure's ID and its SQL).
func (s *Sheet) writeQueries(w io.Writer, heading, format string) {
	fmt.Fprint(w, heading)
	for _, r := range s.Results {
		if r.Query != "" {
			fmt.Fprintf(w, format, r.ID, r.Query)
		}
	}
}

func indent(s, pre string) string {
	return pre + strings.ReplaceAll(s, "\n", "\n"+pre)
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func (s *Sheet) writeMarkdown(w io.Writer, showSQL bool) error {
	l := s.labels()
	h := s.header(l)
	fmt.Fprintf(w, "%s\n\n", s.intro(l))
	fmt.Fprintf(w, "| %s |\n|%s\n", strings.Join(h, " | "), strings.Repeat("---|", len(h)))
	for _, row := range s.rows(l) {
		for i := range row {
			row[i] = mdEscape(row[i])
		}
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	s.writeEvidence(w, l, "\n### %s\n", "\n- **%s** (%s %s): %s\n", "  - %s %s — %s, %s: %s\n")
	fmt.Fprintf(w, "\n### %s\n", l.checks)
	for _, c := range s.Checks {
		fmt.Fprintf(w, "\n%d. **%s**  \n   %s  \n   %s\n", c.ID, c.Title, c.Reported, c.Computed)
	}
	fmt.Fprintf(w, "\n### %s\n\n", l.source)
	for _, r := range s.Results {
		fmt.Fprintf(w, "- **%s** (`%s`): %s「%s」 — %s. %s\n", mdEscape(r.Title), r.ID, r.Reported, r.Quote, r.Source, r.Note)
	}
	if showSQL {
		s.writeQueries(w, "\n### "+l.query+"\n", "\n`%s`\n\n```sql\n%s;\n```\n")
	}
	return nil
}

func (s *Sheet) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "title", "kind", "reported", "reported_value", "scale", "expected", "computed", "difference", "verdict", "source", "quote_zh", "note", "query"})
	for _, r := range s.Results {
		comp, diff := "", ""
		if r.Computed != nil {
			comp = strconv.FormatFloat(*r.Computed, 'f', -1, 64)
		}
		if r.Difference != nil {
			diff = strconv.FormatFloat(*r.Difference, 'f', 6, 64)
		}
		cw.Write([]string{r.ID, r.Title, r.Kind, r.Reported, strconv.FormatFloat(r.Value, 'f', -1, 64),
			strconv.FormatFloat(s.Scale, 'f', -1, 64), strconv.FormatFloat(r.Expected, 'f', -1, 64),
			comp, diff, string(r.Verdict), r.Source, r.Quote, r.Note, r.Query})
	}
	cw.Flush()
	return cw.Error()
}
