package query

import (
	"context"
	"fmt"

	"github.com/hongbao/hongbao/transform"
)

// DescribeTables lists the tables of the warehouse behind q: name, kind, rows and the
// first sentence of the description, as a Result to print in any format.
func DescribeTables(ctx context.Context, q Queryer) (*Result, error) {
	docs, err := transform.Catalog(ctx, q)
	if err != nil {
		return nil, err
	}
	res := &Result{Columns: []string{"table", "kind", "rows", "about"}, Types: []string{"VARCHAR", "VARCHAR", "BIGINT", "VARCHAR"}}
	for _, d := range docs {
		n, err := Query(ctx, q, "SELECT count(*) FROM "+transform.QuoteIdent(d.Name))
		if err != nil {
			return nil, fmt.Errorf("count the rows of %s: %w", d.Name, err)
		}
		about := d.Summary()
		if about == "" {
			about = transform.Undocumented
		}
		res.Rows = append(res.Rows, []Value{
			{Text: d.Name, Kind: KindText}, textOrNull(d.Kind), n.Rows[0][0], {Text: about, Kind: KindText}})
	}
	res.Total = int64(len(res.Rows))
	return res, nil
}

// ColumnsResult returns the columns of t as a Result: column, type, about.
func ColumnsResult(t transform.TableDoc) *Result {
	res := &Result{Columns: []string{"column", "type", "about"}, Types: []string{"VARCHAR", "VARCHAR", "VARCHAR"}}
	for _, c := range t.Columns {
		about := c.About
		if about == "" {
			about = transform.Undocumented
		}
		res.Rows = append(res.Rows, []Value{{Text: c.Name, Kind: KindText}, {Text: c.Type, Kind: KindText}, {Text: about, Kind: KindText}})
	}
	res.Total = int64(len(res.Rows))
	return res
}

func textOrNull(s string) Value {
	if s == "" {
		return Value{Kind: KindNull}
	}
	return Value{Text: s, Kind: KindText}
}
