package query

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/hongbao/hongbao/internal/textwrap"
	"github.com/hongbao/hongbao/transform"
)

// ErrInterrupted is what a LineReader returns when the user pressed Ctrl-C at the
// prompt: the Shell drops the statement being typed and asks again.
var ErrInterrupted = errors.New("interrupted")

// LineReader gives a Shell its input one line at a time.
type LineReader interface {
	// ReadLine returns the next line without its line end; io.EOF at the end of the
	// input, ErrInterrupted for Ctrl-C. A terminal shows prompt first; a script has
	// none to show.
	ReadLine(prompt string) (string, error)
}

// Historian is a LineReader that keeps a history: the Shell adds each statement,
// whole, once it is complete, and each backslash command.
type Historian interface {
	AddHistory(entry string)
}

// NewLineReader reads lines from r, for scripts and tests: it shows no prompt.
func NewLineReader(r io.Reader) LineReader { return &plainLines{r: bufio.NewReader(r)} }

type plainLines struct{ r *bufio.Reader }

func (p *plainLines) ReadLine(string) (string, error) {
	line, err := p.r.ReadString('\n')
	if err == io.EOF && line != "" {
		err = nil
	}
	return strings.TrimRight(line, "\r\n"), err
}

// Prompts of an interactive Shell: the first line of a statement, and the lines after.
const (
	PromptFirst = "hongbao> "
	PromptMore  = "     ..> "
)

// Shell runs SQL statements, each ending in ';', and backslash commands (\d, \format,
// \timing, \q, \?) read from a LineReader: the prompt of 'hongbao sql', and its scripts.
// Statements run one at a time on DB, each printing its own result.
type Shell struct {
	DB  Queryer   // a *sql.Conn of a Sandbox, so that variables and temporary tables last the session
	Out io.Writer // results
	Err io.Writer // errors, notes and timings, kept out of a result piped elsewhere

	Format  Format // how results print; FormatTable if empty
	Timing  bool   // print each statement's time after its result
	MaxRows int    // table and Markdown formats print at most this many rows; 0: all

	// Interactive shows prompts and keeps going after a failed statement; a script
	// (not Interactive) stops at the first error, which Run returns.
	Interactive bool

	// Interrupts, if set, cancels the running statement when it receives (Ctrl-C
	// while a query runs), and the Shell goes on with the next.
	Interrupts <-chan os.Signal

	results int // results printed so far, to separate them

	// beforeRun, if set, is called as each statement starts running (a test hook).
	beforeRun func(stmt string)
}

// ShellHelp is what \? prints.
const ShellHelp = `End each SQL statement with ; (a statement may span lines). Commands:
  \d             list the tables, with their row counts and what a row is
  \d TABLE       describe TABLE: its columns, their types and meaning
  \format NAME   print results as table, csv, json or markdown
  \timing        turn the time of each statement on or off
  \q             quit (or Ctrl-D); Ctrl-C drops the statement being typed
  \?             this help
The SQL reads the warehouse, DIR/lake and what --allow-read names; it writes nothing:
statements that would change the warehouse, write a file, ATTACH, INSTALL or SET a
setting are refused. TEMP tables, views and macros and SET VARIABLE last the session.
'hongbao sql --format csv|json|parquet -o FILE QUERY' writes a result to a file.
`

// Run reads and runs statements and commands until the end of the input or \q. For a
// script it returns the first error, naming the statement that failed when there were
// several; a statement left without its ';' at the end of a script still runs.
func (s *Shell) Run(ctx context.Context, in LineReader) error {
	var buf strings.Builder
	n := 0 // statements run, to name the one that failed
	for {
		prompt := PromptFirst
		if buf.Len() > 0 {
			prompt = PromptMore
		}
		line, err := in.ReadLine(prompt)
		switch {
		case errors.Is(err, ErrInterrupted):
			if buf.Len() == 0 {
				fmt.Fprintln(s.Err, `(\q or Ctrl-D quits)`)
			}
			buf.Reset()
			continue
		case err == io.EOF:
			if rest := buf.String(); !s.Interactive && HasCode(rest) {
				n++
				return s.numbered(n, s.run(ctx, in, strings.TrimSpace(rest)))
			}
			return nil
		case err != nil:
			return fmt.Errorf("read the input: %w", err)
		}
		if cmd := strings.TrimSpace(line); strings.HasPrefix(cmd, `\`) && !HasCode(buf.String()) {
			if h, ok := in.(Historian); ok && s.Interactive {
				h.AddHistory(cmd)
			}
			quit, err := s.Command(ctx, cmd)
			if err != nil {
				if !s.Interactive {
					return err
				}
				fmt.Fprintln(s.Err, "Error:", textwrap.Inert(err.Error(), true))
			}
			if quit {
				return nil
			}
			continue
		}
		buf.WriteString(line)
		buf.WriteByte('\n')
		stmts, rest := SplitStatements(buf.String())
		if len(stmts) == 0 {
			if !HasCode(buf.String()) && !openComment(buf.String()) {
				buf.Reset() // blank lines and comments: nothing is pending
			}
			continue
		}
		buf.Reset()
		if rest != "" {
			buf.WriteString(rest)
			buf.WriteByte('\n')
		}
		for _, stmt := range stmts {
			n++
			if err := s.run(ctx, in, stmt); err != nil && !s.Interactive {
				return s.numbered(n, err)
			}
		}
	}
}

// numbered names the statement of a script that failed, from the second one on.
func (s *Shell) numbered(n int, err error) error {
	if err == nil || n == 1 {
		return err
	}
	return fmt.Errorf("statement %d: %w", n, err)
}

// run runs one statement, prints its result, and in a session prints its error too.
func (s *Shell) run(ctx context.Context, in LineReader, stmt string) error {
	if h, ok := in.(Historian); ok && s.Interactive {
		h.AddHistory(strings.Join(strings.Fields(stmt), " ") + ";")
	}
	err := s.Exec(ctx, stmt)
	if err != nil && s.Interactive {
		fmt.Fprintln(s.Err, "Error:", textwrap.Inert(err.Error(), true))
	}
	return err
}

// Exec runs one statement and prints its result in s.Format, then its time if
// s.Timing. CSV and JSON results print as the rows arrive.
func (s *Shell) Exec(ctx context.Context, stmt string) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if s.Interrupts != nil {
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-s.Interrupts:
				cancel()
			case <-done:
			}
		}()
	}
	start := time.Now()
	if s.beforeRun != nil {
		s.beforeRun(stmt)
	}
	err := s.print(ctx, stmt)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("canceled after %s: %w", roundDuration(time.Since(start)), ctx.Err())
	}
	if err == nil && s.Timing {
		fmt.Fprintf(s.Err, "Time: %s\n", roundDuration(time.Since(start)))
	}
	return err
}

func (s *Shell) format() Format {
	if s.Format == "" {
		return FormatTable
	}
	return s.Format
}

func (s *Shell) print(ctx context.Context, stmt string) error {
	f := s.format()
	if f == FormatCSV || f == FormatJSON {
		rw, err := NewRowWriter(s.Out, f)
		if err != nil {
			return err
		}
		// DuckDB answers SET and the like with an empty "Success" column: print nothing
		// for it, as for the table format, rather than a lone header.
		var pending []string
		headed := false
		err = QueryEach(ctx, s.DB, stmt, func(columns, types []string) error {
			if len(columns) == 1 && columns[0] == "Success" {
				pending = types
				return nil
			}
			headed = true
			return rw.Header(columns, types)
		}, func(row []Value) error {
			if !headed {
				headed = true
				if err := rw.Header([]string{"Success"}, pending); err != nil {
					return err
				}
			}
			return rw.Row(row)
		}, nil)
		if err != nil || !headed {
			return err
		}
		s.results++
		return rw.Close()
	}
	res, err := QueryLimit(ctx, s.DB, stmt, s.MaxRows)
	if err != nil {
		return err
	}
	if len(res.Columns) == 1 && res.Columns[0] == "Success" && len(res.Rows) == 0 {
		return nil // SET and the like: DuckDB's result says nothing
	}
	if err := s.write(res); err != nil {
		return err
	}
	if res.More {
		fmt.Fprintf(s.Err, "(only the first %d rows are shown; add a LIMIT, or use \\format csv or json for all rows)\n", s.MaxRows)
	}
	return nil
}

// write prints a result, a blank line apart from the one before in the table format.
func (s *Shell) write(res *Result) error {
	f := s.format()
	if s.results > 0 && (f == FormatTable || f == FormatMarkdown) {
		fmt.Fprintln(s.Out)
	}
	s.results++
	if err := res.Write(s.Out, f); err != nil {
		return fmt.Errorf("print the result: %w", err)
	}
	return nil
}

// Command runs a backslash command line such as `\d grabs`, and reports whether it
// asks to quit.
func (s *Shell) Command(ctx context.Context, line string) (quit bool, err error) {
	fields := strings.Fields(line)
	name, args := fields[0], fields[1:]
	switch name {
	case `\q`, `\quit`:
		return true, nil
	case `\?`, `\h`, `\help`:
		_, err := io.WriteString(s.Out, ShellHelp)
		return false, err
	case `\timing`:
		switch {
		case len(args) == 0:
			s.Timing = !s.Timing
		case len(args) == 1 && (args[0] == "on" || args[0] == "off"):
			s.Timing = args[0] == "on"
		default:
			return false, fmt.Errorf(`\timing takes on, off or nothing (to switch), not %q`, strings.Join(args, " "))
		}
		fmt.Fprintf(s.Err, "Timing is %s.\n", map[bool]string{true: "on", false: "off"}[s.Timing])
		return false, nil
	case `\format`, `\f`:
		if len(args) == 0 {
			fmt.Fprintf(s.Err, "The format is %s; \\format NAME changes it to one of %s.\n", s.format(), strings.Join(Formats(), ", "))
			return false, nil
		}
		f, err := ParseFormat(args[0])
		if err == nil && f == FormatParquet {
			err = fmt.Errorf(`parquet is a file format: run 'hongbao sql --format parquet -o FILE QUERY'`)
		}
		if err != nil || len(args) > 1 {
			if err == nil {
				err = fmt.Errorf(`\format takes one name, one of %s`, strings.Join(Formats(), ", "))
			}
			return false, err
		}
		s.Format = f
		fmt.Fprintf(s.Err, "The format is %s.\n", f)
		return false, nil
	case `\d`, `\dt`, `\describe`:
		if len(args) > 1 {
			return false, fmt.Errorf(`\d takes one table name, or none to list the tables`)
		}
		table := ""
		if len(args) == 1 {
			table = strings.Trim(args[0], `";`)
		}
		return false, s.Describe(ctx, table)
	}
	return false, fmt.Errorf(`unknown command %s: type \? for help`, name)
}

// Describe prints the list of tables, or with a table name that table's description
// and columns: what 'hongbao sql --describe' and \d print.
func (s *Shell) Describe(ctx context.Context, table string) error {
	if table == "" {
		res, err := DescribeTables(ctx, s.DB)
		if err != nil {
			return err
		}
		return s.write(res)
	}
	d, err := transform.DescribeTable(ctx, s.DB, table)
	if err != nil {
		return err
	}
	if f := s.format(); f == FormatTable || f == FormatMarkdown {
		var b strings.Builder
		if s.results > 0 {
			b.WriteString("\n")
		}
		if f == FormatMarkdown {
			b.WriteString("## ")
		}
		b.WriteString(d.Heading() + "\n\n")
		if d.About != "" {
			b.WriteString(wrapText(d.About, 88) + "\n\n")
		}
		io.WriteString(s.Out, b.String())
		s.results = 0 // the heading separates
	}
	return s.write(ColumnsResult(d))
}

// wrapText breaks s into lines of at most width cells, between words.
func wrapText(s string, width int) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		ww := textwrap.DisplayWidth(w)
		if n > 0 && n+1+ww > width {
			b.WriteByte('\n')
			n = 0
		} else if n > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += ww
	}
	return b.String()
}

// roundDuration keeps three significant figures: 1.23s, 45.6ms.
func roundDuration(d time.Duration) time.Duration {
	for _, unit := range []time.Duration{time.Second, time.Millisecond, time.Microsecond} {
		if d >= unit {
			return d.Round(unit / 100)
		}
	}
	return d
}
