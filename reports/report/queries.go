package report

import (
	"context"
	"database/sql"
	"embed"

	"github.com/hongbao/hongbao/internal/sqlfile"
)

// The report's queries, one file each under sql/, named after what they compute; the
// models they read (claims_per_hour, midnight_window, user_bindings, bank_bindings,
// user_funnel) are the warehouse's, shared with the facts sheet and the notebooks.
//
//go:embed sql/*.sql
var sqlFiles embed.FS

var reportSQL = sqlfile.MustLoad(sqlFiles, "sql/*.sql")

// eachRow runs q and calls row for each row it gives, with the row's Scan.
func eachRow(ctx context.Context, db *sql.DB, q string, row func(scan func(...any) error) error) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := row(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}
