package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/chzyer/readline"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/query"
	"github.com/hongbao/hongbao/transform"
)

// sqlShownRows caps the rows the table and Markdown formats hold in memory and print: a
// terminal shows no more, and SELECT * FROM grabs at full scale would not fit. CSV and
// JSON print every row, as they arrive.
const sqlShownRows = 10000

const sqlExample = `hongbao sql "SELECT * FROM claims_per_minute ORDER BY claims DESC LIMIT 5"`

// envHistory names the file of the prompt's history, if not ~/.hongbao_history.
const envHistory = "HONGBAO_HISTORY"

// sqlOptions are the flags of 'hongbao sql'.
type sqlOptions struct {
	format   string // one of query.FileFormats()
	output   string // file to write the result to; "" prints it
	describe bool   // describe the tables instead of running a query
	sandbox  sandboxFlags
}

// sandboxFlags are what user SQL may read besides the warehouse and DIR/lake: the flags
// of 'hongbao sql' and 'hongbao notebook run'.
type sandboxFlags struct {
	allowRead []string
}

func (o *sandboxFlags) AddFlags(f *pflag.FlagSet) {
	f.StringArrayVar(&o.allowRead, "allow-read", nil,
		"let the SQL read this file or folder too (repeatable); it reads only the warehouse and DIR/lake otherwise")
}

func (o sandboxFlags) options() query.SandboxOptions {
	return query.SandboxOptions{AllowRead: o.allowRead}
}

func (o *sqlOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.format, "format", string(query.FormatTable),
		"output format: "+strings.Join(query.Formats(), ", ")+"; with -o also parquet")
	f.StringVarP(&o.output, "output", "o", "", "write the result of QUERY to this file instead of printing it")
	f.BoolVar(&o.describe, "describe", false, "describe the warehouse: every table, or with an argument that table's columns")
	o.sandbox.AddFlags(f)
}

func newSQLCommand(g *globalOptions) *cobra.Command {
	var opts sqlOptions
	cmd := &cobra.Command{
		Use:   "sql [QUERY]",
		Short: "Query the warehouse with SQL (read-only), at a prompt or from a script",
		Long: `sql runs DuckDB SQL against the warehouse DIR/warehouse.duckdb, opened read-only, and
prints the results. Timestamps show in Beijing time (Asia/Shanghai).

The SQL may read the warehouse, the Parquet files under DIR/lake (read_parquet), and the
files and folders named with --allow-read; nothing else. It writes nothing: statements
that change the warehouse, write a file (COPY TO, EXPORT DATABASE), ATTACH a database,
INSTALL or LOAD an extension, or change a setting (SET, PRAGMA) are refused with a
sentence saying what to do instead. TEMP tables, views and macros, and SET VARIABLE,
work for the session.

With no QUERY on a terminal, sql opens a prompt: statements end with ';' and may span
lines; \d lists the tables and \d TABLE describes one; \format, \timing, \? and \q
do what \? says. History is kept in ~/.hongbao_history (env HONGBAO_HISTORY).

QUERY is one argument, quoted, and may hold several statements separated by ';', each
printing its result; with "-", or with no argument while stdin is not a terminal, the
statements are read from stdin. The first failing statement ends the run.

--describe lists the tables (envelopes, grabs, card_bindings, withdrawals, payments,
links, quarantine; reference tables such as banks; models such as claims_per_minute;
_hongbao_meta), and --describe TABLE its columns: the same text as docs/warehouse.md.

-o FILE writes the result of one query to FILE in --format: csv, json, table, markdown,
or parquet (zstd, keeping DuckDB's types). Without --format, FILE's extension names it
(.csv, .json, .parquet, .md; table for others). Table and Markdown files hold at most
100000 rows. FILE may not be inside DIR. It is the one way the SQL writes a file.

Table and Markdown output show the first 10000 rows; CSV and JSON show all.`,
		Example: "  " + sqlExample + "\n" +
			"  hongbao sql\n" +
			"  hongbao sql --describe grabs\n" +
			`  hongbao sql -o peak.parquet "SELECT * FROM claims_per_minute"` + "\n" +
			`  hongbao sql --allow-read banks.csv "SELECT * FROM read_csv('banks.csv')"` + "\n" +
			`  echo "SELECT reason, count(*) FROM quarantine GROUP BY ALL;" | hongbao sql --format markdown`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				if opts.describe {
					return usagef("--describe takes one table name (got %d arguments)", len(args))
				}
				return usagef("pass the query as one argument in quotes, e.g. %s (got %d arguments)", sqlExample, len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, out, errOut := cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			if opts.describe {
				table := ""
				if len(args) == 1 {
					table = args[0]
				}
				return runSQLDescribe(ctx, g, opts, table, out)
			}
			if len(args) == 0 && opts.output == "" && sqlReaderIsTerminal(cmd.InOrStdin()) {
				return runSQLTerminal(ctx, g, opts, out, errOut)
			}
			stmts, err := sqlQueryFrom(args, cmd.InOrStdin())
			if err != nil {
				return err
			}
			if opts.output != "" {
				if !cmd.Flags().Changed("format") {
					opts.format = string(query.FormatForFile(opts.output))
				}
				return runSQLExport(ctx, g, opts, stmts, errOut)
			}
			return runSQL(ctx, g, opts, stmts, out, errOut)
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// sqlQueryFrom takes the query from the argument, or from stdin when the argument is "-"
// or missing while stdin is not a terminal.
func sqlQueryFrom(args []string, stdin io.Reader) (string, error) {
	var stmts string
	switch {
	case len(args) == 1 && args[0] != "-":
		stmts = args[0]
	case len(args) == 1 || !sqlReaderIsTerminal(stdin):
		b, err := io.ReadAll(stdin)
		if err != nil {
			return "", fmt.Errorf("read the query from stdin: %w", err)
		}
		stmts = string(b)
	default:
		return "", usagef("pass a query, e.g. %s, or pipe one on stdin", sqlExample)
	}
	if !query.HasCode(stmts) {
		return "", usagef("the query is empty: pass one, e.g. %s", sqlExample)
	}
	return stmts, nil
}

func sqlReaderIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printFormat checks --format for printing: parquet needs -o.
func (o sqlOptions) printFormat() (query.Format, error) {
	f, err := query.ParseFormat(o.format)
	if err != nil {
		return "", usagef("unknown --format %q: use one of %s", o.format, strings.Join(query.Formats(), ", "))
	}
	if f == query.FormatParquet && o.output == "" {
		return "", usagef("--format parquet writes a file: add -o FILE.parquet")
	}
	return f, nil
}

// openSQLWarehouse opens the warehouse of g.dir in the sandbox for user SQL, and one
// connection of it, so that variables and temporary tables last from statement to
// statement.
func openSQLWarehouse(ctx context.Context, g *globalOptions, sb sandboxFlags) (*query.Sandbox, query.Queryer, func(), error) {
	w, err := query.OpenSandbox(g.dir, sb.options())
	if errors.Is(err, transform.ErrNoWarehouse) {
		return nil, nil, nil, usagef("%v", err)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	conn, err := w.DB().Conn(ctx)
	if err != nil {
		w.Close()
		return nil, nil, nil, fmt.Errorf("open warehouse %s: %w", w.Path(), err)
	}
	return w, conn, func() { conn.Close(); w.Close() }, nil
}

// openSQLShell checks --format, opens the warehouse as openSQLWarehouse does, and
// returns a shell on its connection that prints to out and errOut.
func openSQLShell(ctx context.Context, g *globalOptions, opts sqlOptions, out, errOut io.Writer) (*query.Sandbox, *query.Shell, func(), error) {
	format, err := opts.printFormat()
	if err != nil {
		return nil, nil, nil, err
	}
	w, conn, closeAll, err := openSQLWarehouse(ctx, g, opts.sandbox)
	if err != nil {
		return nil, nil, nil, err
	}
	return w, &query.Shell{DB: conn, Out: out, Err: errOut, Format: format, MaxRows: sqlShownRows}, closeAll, nil
}

// sqlError turns a refused statement into a usage error: the user asked for something
// 'hongbao sql' does not do.
func sqlError(err error) error {
	if errors.Is(err, query.ErrRefused) || errors.Is(err, transform.ErrUnknownTable) || errors.Is(err, query.ErrTooManyRows) {
		return usagef("%v", err)
	}
	return err
}

// runSQL runs the statements of query on the warehouse of g.dir, opened read-only, and
// prints each result to out; notes for the reader go to errOut. The first failing
// statement ends the run.
func runSQL(ctx context.Context, g *globalOptions, opts sqlOptions, stmts string, out, errOut io.Writer) error {
	_, sh, closeAll, err := openSQLShell(ctx, g, opts, out, errOut)
	if err != nil {
		return err
	}
	defer closeAll()
	return sqlError(sh.Run(ctx, query.NewLineReader(strings.NewReader(stmts))))
}

// runSQLPrompt runs the interactive prompt over in until \q or the end of the input.
// A failed statement prints its error and the prompt goes on.
func runSQLPrompt(ctx context.Context, g *globalOptions, opts sqlOptions, in query.LineReader, out, errOut io.Writer) error {
	w, sh, closeAll, err := openSQLShell(ctx, g, opts, out, errOut)
	if err != nil {
		return err
	}
	defer closeAll()
	fmt.Fprintf(errOut, "hongbao sql: %s, read-only. End statements with ;  \\d lists the tables, \\? helps, \\q quits.\n", w.Path())
	interrupts := make(chan os.Signal, 1)
	signal.Notify(interrupts, os.Interrupt)
	defer signal.Stop(interrupts)
	sh.Interactive, sh.Interrupts = true, interrupts
	// Ctrl-C while a statement runs cancels that statement only: main's context would
	// end the whole session.
	return sh.Run(context.WithoutCancel(ctx), in)
}

// runSQLTerminal runs the prompt on the terminal, with line editing and history.
func runSQLTerminal(ctx context.Context, g *globalOptions, opts sqlOptions, out, errOut io.Writer) error {
	if _, err := opts.printFormat(); err != nil {
		return err
	}
	rl, err := readline.NewEx(&readline.Config{
		Prompt:                 query.PromptFirst,
		HistoryFile:            sqlHistoryFile(g.dir),
		HistoryLimit:           1000,
		DisableAutoSaveHistory: true,
		HistorySearchFold:      true,
		InterruptPrompt:        "^C",
		EOFPrompt:              `\q`,
	})
	if err != nil {
		return fmt.Errorf("open the terminal: %w", err)
	}
	defer rl.Close()
	return runSQLPrompt(ctx, g, opts, readlineInput{rl}, out, errOut)
}

// sqlHistoryFile is $HONGBAO_HISTORY, else ~/.hongbao_history, else one in the data
// folder.
func sqlHistoryFile(dir string) string {
	if p := os.Getenv(envHistory); p != "" {
		return p
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".hongbao_history")
	}
	return datadir.Dir(dir).SQLHistory()
}

// readlineInput is the terminal's LineReader.
type readlineInput struct{ rl *readline.Instance }

func (r readlineInput) ReadLine(prompt string) (string, error) {
	r.rl.SetPrompt(prompt)
	line, err := r.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", query.ErrInterrupted
	}
	return line, err
}

func (r readlineInput) AddHistory(entry string) { _ = r.rl.SaveHistory(entry) }

// runSQLDescribe prints the tables of the warehouse, or one table's columns.
func runSQLDescribe(ctx context.Context, g *globalOptions, opts sqlOptions, table string, out io.Writer) error {
	if opts.output != "" {
		return usagef("--describe prints; it takes no -o")
	}
	_, sh, closeAll, err := openSQLShell(ctx, g, opts, out, io.Discard)
	if err != nil {
		return err
	}
	defer closeAll()
	return sqlError(sh.Describe(ctx, table))
}

// runSQLExport writes the result of one query to opts.output.
func runSQLExport(ctx context.Context, g *globalOptions, opts sqlOptions, stmts string, errOut io.Writer) error {
	w, sh, closeAll, err := openSQLShell(ctx, g, opts, io.Discard, errOut)
	if err != nil {
		return err
	}
	defer closeAll()
	format := sh.Format
	n, err := w.Export(ctx, stmts, format, opts.output)
	if errors.Is(err, query.ErrOneStatement) {
		return usagef("-o writes the result of one query: %v", err)
	}
	if err != nil {
		return sqlError(err)
	}
	rows := "rows"
	if n == 1 {
		rows = "row"
	}
	fmt.Fprintf(errOut, "hongbao: wrote %s %s to %s (%s)\n", locale.Int(n), rows, opts.output, format)
	return nil
}
