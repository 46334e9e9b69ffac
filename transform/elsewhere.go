package transform

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/sqlrows"
)

// viewFile is a Parquet file named in a view's SQL: a string literal, in which a quote
// is doubled (QuoteString), so that a folder such as /home/o'brien is read whole.
var viewFile = regexp.MustCompile(`'((?:[^']|'')+\.parquet)'`)

// CheckReadable refuses a warehouse (the file path, open in db) that readers cannot
// use as it is: one never built (ErrNoWarehouse: the file exists, but its first refresh
// did not finish, so it has no tables and every query would fail on a missing one), or
// one whose event views read lake files outside data folder dir (ErrLakeElsewhere).
//
// The event views name the lake's files by absolute path, so a data folder moved or
// copied since its last refresh would read the old place, or be refused it with a
// puzzling message.
func CheckReadable(ctx context.Context, db Queryer, dir, path string) error {
	var built bool
	q := "SELECT count(*) > 0 FROM duckdb_tables() WHERE database_name = 'warehouse' AND schema_name = 'main' AND table_name = '" + metaTable + "'"
	if err := sqlrows.Each(ctx, db, q, nil, func(rows *sql.Rows) error { return rows.Scan(&built) }); err != nil {
		return fmt.Errorf("open warehouse %s: %w", path, err)
	}
	if !built {
		return fmt.Errorf("%w: %s exists but was never built (its first 'hongbao transform' did not finish): run 'hongbao transform --dir %s' and fix what it reports",
			ErrNoWarehouse, path, dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return fmt.Errorf("open warehouse %s: %w", path, err)
	}
	lakeDir := datadir.Dir(abs).Lake()
	prefix := strings.TrimSuffix(filepath.ToSlash(lakeDir), "/") + "/"
	var views []string
	err = sqlrows.Each(ctx, db, "SELECT sql FROM duckdb_views() WHERE database_name = 'warehouse' AND NOT internal", nil, func(rows *sql.Rows) error {
		var text string
		err := rows.Scan(&text)
		views = append(views, text)
		return err
	})
	if err != nil {
		return fmt.Errorf("open warehouse %s: list its views: %w", path, err)
	}
	for _, text := range views {
		for _, m := range viewFile.FindAllStringSubmatch(text, -1) {
			if f := strings.ReplaceAll(m[1], "''", "'"); !strings.HasPrefix(f, prefix) {
				return fmt.Errorf("%w: the warehouse %s reads lake files elsewhere (%s), not in %s; the data folder was moved or copied since its last refresh: run 'hongbao transform --dir %s' once to point it at the lake here",
					ErrLakeElsewhere, path, filepath.Dir(filepath.Dir(f)), lakeDir, abs)
			}
		}
	}
	return nil
}
