package transform

import (
	"context"
	"fmt"
	"testing"
)

func TestZZProbe(t *testing.T) {
	ro, err := OpenReadOnly("/tmp/nb")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	ctx := context.Background()
	for _, q := range []string{
		"COPY (SELECT * FROM claims_per_minute LIMIT 5) TO '/tmp/probe.parquet' (FORMAT parquet)",
		"SELECT * FORM grabs",
		"SELECT nosuch FROM grabs",
		"SELECT * FROM nosuch",
		"SELECT 1;\nSELECT x FROM\n  grabs WHERE y = 2",
		"SELECT 1/0::INT, 'a'::INT",
		"ATTACH '/tmp/x.duckdb' AS x",
		"SET TimeZone='UTC'",
		"CREATE TEMP TABLE t AS SELECT 1",
		"INSTALL httpfs",
		"SELECT * FROM duckdb_tables()",
	} {
		res, err := Query(ctx, ro.DB(), q)
		fmt.Printf("=== %q\nerr=%v\n", q, err)
		if res != nil {
			fmt.Println(len(res.Rows), res.Columns)
		}
	}
}
