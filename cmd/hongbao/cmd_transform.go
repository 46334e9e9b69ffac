package main

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/transform"
)

func newTransformCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "transform",
		Short: "Rebuild the DuckDB warehouse from the Parquet lake and run the SQL models",
		Long: `transform loads every table of the Parquet lake (DIR/lake/<table>/*.parquet) into
DIR/warehouse.duckdb and rebuilds the SQL models on them, in one transaction: a reader
sees the warehouse before or after, never half of it. It prints one line per table with
its row count. Run it after 'hongbao ingest' has landed new files.

A lake file DuckDB cannot read (one an older build wrote with invalid UTF-8) is left
out: the rest is loaded and committed, and transform names the file, says how to move
its rows to quarantine ('hongbao quarantine evict') and exits 1.`,
		Example: "  hongbao transform --dir ./hongbao-data",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("transform takes no arguments; name the data folder with --dir")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTransform(cmd.Context(), g, cmd.OutOrStdout(), true)
		},
	}
}

// runTransform refreshes the warehouse of g.dir and prints each table's row count to out.
// With showProgress, stderr follows the tables being built (see progress.go).
func runTransform(ctx context.Context, g *globalOptions, out io.Writer, showProgress bool) error {
	// Without a lake there is nothing to build from, and a refresh would empty a
	// warehouse copied here without its lake: a mistyped --dir is said, not made.
	lakeDir := datadir.Dir(g.dir).Lake()
	if _, err := os.Stat(lakeDir); errors.Is(err, fs.ErrNotExist) {
		return usagef("no lake at %s: nothing to build the warehouse from. Ingest events first ('hongbao ingest --dir %s', or 'hongbao demo'), or pass the --dir that holds them",
			lakeDir, g.dir)
	}
	w, err := transform.Open(g.dir)
	if err != nil {
		return err
	}
	defer w.Close()
	var p *progress
	if showProgress {
		total := int64(transform.RefreshBuilds())
		p = newProgress(total, "transform "+w.Path())
		var built int64
		// A refresh that meets an unreadable lake file builds the tables again.
		w.Progress = func(transform.TableInfo) { built++; p.Set(min(built, total)) }
	}
	// A lake file DuckDB cannot read is left out and named after the refresh commits:
	// print what the warehouse holds, then fail with the sentence that says what to do.
	refreshErr := w.Refresh(ctx)
	if refreshErr != nil && !errors.Is(refreshErr, transform.ErrUnreadableLakeFile) {
		return refreshErr
	}
	tables, err := w.Tables(ctx)
	if err != nil {
		return err
	}
	if p != nil {
		p.Done("%d tables, %s rows from the lake", len(tables), locale.Int(transform.LakeRows(tables)))
	}
	transform.PrintTables(out, tables, refreshErr)
	return refreshErr
}
