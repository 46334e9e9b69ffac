package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/hongbao/hongbao/transform"
)

// sqlShownRows caps the rows the table and Markdown formats hold in memory and print: a
// terminal shows no more, and SELECT * FROM grabs at full scale would not fit. CSV and
// JSON print every row.
const sqlShownRows = 10000

const sqlExample = `hongbao sql "SELECT * FROM claims_per_minute ORDER BY claims DESC LIMIT 5"`

// sqlOptions are the flags of 'hongbao sql'.
type sqlOptions struct {
	format string // one of transform.Formats()
}

func (o *sqlOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.format, "format", string(transform.FormatTable),
		"output format: "+strings.Join(transform.Formats(), ", "))
}

func newSQLCommand(g *globalOptions) *cobra.Command {
	var opts sqlOptions
	cmd := &cobra.Command{
		Use:   "sql [QUERY]",
		Short: "Query the warehouse with SQL (read-only)",
		Long: `sql runs a DuckDB SQL query against the warehouse DIR/warehouse.duckdb, opened
read-only, and prints the result. Timestamps show in Beijing time (Asia/Shanghai).

QUERY is one argument, quoted; with "-", or with no argument while stdin is not a
terminal, the query is read from stdin. Tables: envelopes, grabs, card_bindings,
withdrawals, payments, links, quarantine; models: claims_per_minute; what the last
'hongbao transform' built: _hongbao_meta.

Table and Markdown output show the first 10000 rows; CSV and JSON show all.`,
		Example: "  " + sqlExample + "\n" +
			`  hongbao sql --format csv "SELECT * FROM grabs" > grabs.csv` + "\n" +
			`  echo "SELECT reason, count(*) FROM quarantine GROUP BY ALL" | hongbao sql --format markdown`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("pass the query as one argument in quotes, e.g. %s (got %d arguments)", sqlExample, len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			query, err := sqlQueryFrom(args, cmd.InOrStdin())
			if err != nil {
				return err
			}
			return runSQL(cmd.Context(), g, opts, query, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

// sqlQueryFrom takes the query from the argument, or from stdin when the argument is "-"
// or missing while stdin is not a terminal.
func sqlQueryFrom(args []string, stdin io.Reader) (string, error) {
	var query string
	switch {
	case len(args) == 1 && args[0] != "-":
		query = args[0]
	case len(args) == 1 || !sqlReaderIsTerminal(stdin):
		b, err := io.ReadAll(stdin)
		if err != nil {
			return "", fmt.Errorf("read the query from stdin: %w", err)
		}
		query = string(b)
	default:
		return "", usagef("pass a query, e.g. %s, or pipe one on stdin (there is no interactive prompt yet)", sqlExample)
	}
	if strings.TrimSpace(query) == "" {
		return "", usagef("the query is empty: pass one, e.g. %s", sqlExample)
	}
	return query, nil
}

func sqlReaderIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// runSQL runs query on the warehouse of g.dir, opened read-only, and prints the result
// to out; notes for the reader go to errOut.
func runSQL(ctx context.Context, g *globalOptions, opts sqlOptions, query string, out, errOut io.Writer) error {
	format, err := transform.ParseFormat(opts.format)
	if err != nil {
		return usagef("unknown --format %q: use one of %s", opts.format, strings.Join(transform.Formats(), ", "))
	}
	w, err := transform.OpenReadOnly(g.dir)
	if errors.Is(err, transform.ErrNoWarehouse) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}
	defer w.Close()

	limit := 0
	if format == transform.FormatTable || format == transform.FormatMarkdown {
		limit = sqlShownRows
	}
	res, err := transform.QueryLimit(ctx, w.DB(), query, limit)
	if errors.Is(err, transform.ErrReadOnly) {
		return usagef("%v", err)
	}
	if err != nil {
		return err
	}
	if err := res.Write(out, format); err != nil {
		return fmt.Errorf("print the result: %w", err)
	}
	if res.More {
		fmt.Fprintf(errOut, "hongbao: only the first %d rows are shown; add a LIMIT, or use --format csv or json for all rows\n", limit)
	}
	return nil
}
