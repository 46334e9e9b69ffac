package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/hongbao/hongbao/transform"
)

func newTransformCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "transform",
		Short: "Rebuild the DuckDB warehouse from the Parquet lake and run the SQL models",
		Long: `transform loads every table of the Parquet lake (DIR/lake/<table>/*.parquet) into
DIR/warehouse.duckdb and rebuilds the SQL models on them, in one transaction: a reader
sees the warehouse before or after, never half of it. It prints one line per table with
its row count. Run it after 'hongbao ingest' has landed new files.`,
		Example: "  hongbao transform --dir ./hongbao-data",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("transform takes no arguments; name the data folder with --dir")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			var progress io.Writer
			if f, ok := cmd.ErrOrStderr().(*os.File); ok && term.IsTerminal(int(f.Fd())) {
				progress = f
			}
			return runTransform(cmd.Context(), g, cmd.OutOrStdout(), progress)
		},
	}
}

// runTransform refreshes the warehouse of g.dir and prints each table's row count to out.
// With progress set (a terminal), it shows the table being built and the time taken.
func runTransform(ctx context.Context, g *globalOptions, out, progress io.Writer) error {
	w, err := transform.Open(g.dir)
	if err != nil {
		return err
	}
	defer w.Close()
	start := time.Now()
	if progress != nil {
		w.Progress = func(t transform.TableInfo) {
			fmt.Fprintf(progress, "\r\033[Kbuilt %s (%s rows)", t.Name, transformCount(t.Rows))
		}
	}
	err = w.Refresh(ctx)
	if progress != nil {
		fmt.Fprint(progress, "\r\033[K")
	}
	if err != nil {
		return err
	}
	tables, err := w.Tables(ctx)
	if err != nil {
		return err
	}
	nameWidth, countWidth := 0, 0
	for _, t := range tables {
		nameWidth = max(nameWidth, len(t.Name))
		countWidth = max(countWidth, len(transformCount(t.Rows)))
	}
	for _, t := range tables {
		from := "model"
		switch {
		case t.Kind != "lake":
		case t.Files == 0:
			from = "no lake files"
		case t.Files == 1:
			from = "from 1 lake file"
		default:
			from = fmt.Sprintf("from %d lake files", t.Files)
		}
		fmt.Fprintf(out, "%-*s  %*s rows  %s\n", nameWidth, t.Name, countWidth, transformCount(t.Rows), from)
	}
	if progress != nil {
		fmt.Fprintf(progress, "refreshed %s in %s\n", w.Path(), time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// transformCount writes n with thousands separators: 100,000,000 reads at a glance.
func transformCount(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
