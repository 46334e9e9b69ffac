// Package sqlrows walks the rows of a query, for every package that runs its own SQL on
// DuckDB: the warehouse build, the quarantine tools, the report. It sits below ingest
// and transform alike, which may not import each other's way.
package sqlrows

import (
	"context"
	"database/sql"
)

// Queryer runs a query: *sql.DB, *sql.Conn and *sql.Tx all do.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// Each runs query on q and calls row with each row of the result, in order; it stops at
// the first error, row's or the query's.
func Each(ctx context.Context, q Queryer, query string, args []any, row func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
