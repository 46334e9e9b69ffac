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

// providerRow is a row of one provider's figures.
type providerRow interface{ provider() string }

func (ps ProviderStats) provider() string { return ps.Provider }
func (o BindingOutcome) provider() string { return o.Provider }

// scanProviders runs q, which gives a row per provider, and puts each row, read into
// fields, in the entry of xs of its provider (WeChat Pay's, then Alipay's): a provider
// without a row keeps its entry.
func scanProviders[T providerRow](ctx context.Context, db *sql.DB, q string, xs []T, fields func(*T) []any) error {
	return eachRow(ctx, db, q, func(scan func(...any) error) error {
		var x T
		if err := scan(fields(&x)...); err != nil {
			return err
		}
		for i := range xs {
			if xs[i].provider() == x.provider() {
				xs[i] = x
			}
		}
		return nil
	})
}

// byProvider returns the entries of WeChat Pay and of Alipay among xs, each the zero
// value when xs has none.
func byProvider[T providerRow](xs []T) (wp, ap T) {
	for _, x := range xs {
		switch x.provider() {
		case wechatPay:
			wp = x
		case alipay:
			ap = x
		}
	}
	return wp, ap
}

// columns splits rows into a chart's x values and two series, in row order.
func columns[R, X any](rows []R, f func(R) (X, float64, float64)) (xs []X, a, b []float64) {
	for _, r := range rows {
		x, ya, yb := f(r)
		xs, a, b = append(xs, x), append(a, ya), append(b, yb)
	}
	return xs, a, b
}
