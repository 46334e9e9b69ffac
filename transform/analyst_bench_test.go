package transform

import (
	"context"
	"os"
	"testing"
)

// analystQueries are the questions issue 11 times on the full festival, each to answer
// in under 200 ms: the busiest minute, the claims of each hour, and the user funnel
// (users at each stage).
var analystQueries = []struct{ name, sql string }{
	{"peak_minute", "SELECT minute, claims FROM claims_per_minute ORDER BY claims DESC, minute LIMIT 1"},
	{"claims_per_hour", "SELECT hour, claims, claimed_fen FROM claims_per_hour ORDER BY hour"},
	{"user_funnel", `SELECT count(first_grab_at), count(first_claim_at), count(first_bind_attempt_at),
		count(first_bound_at), count(first_withdrawal_at), count(first_payment_at) FROM user_funnel`},
	{"claims_from_grabs", "SELECT count(*) FROM grabs WHERE outcome = 'claimed'"},
}

// BenchmarkAnalystQueries runs analystQueries on the warehouse of the data folder
// HONGBAO_BENCH_DIR (for example one 'hongbao demo --scale 1' built), read-only as the
// report and 'hongbao sql' open it:
//
//	HONGBAO_BENCH_DIR=/tmp/hb go test ./transform -run '^$' -bench AnalystQueries -benchtime 10x
func BenchmarkAnalystQueries(b *testing.B) {
	dir := os.Getenv("HONGBAO_BENCH_DIR")
	if dir == "" {
		b.Skip("HONGBAO_BENCH_DIR names no data folder with a warehouse to query")
	}
	w, err := OpenReadOnly(dir)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	ctx := context.Background()
	for _, q := range analystQueries {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				rows, err := w.DB().QueryContext(ctx, q.sql)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					n++
				}
				if err := rows.Err(); err != nil || n == 0 {
					b.Fatalf("%s: %d rows, %v", q.name, n, err)
				}
				rows.Close()
			}
		})
	}
}
