// Package testworld builds the small worlds hongbao's tests run on.
package testworld

import (
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/hongbao/hongbao/internal/datadir"
)

// WriteParquet lands the rows of query as DIR/lake/<table>/<name>, written by a separate
// in-memory DuckDB the way the ingester would.
func WriteParquet(t testing.TB, dir, table, name, query string) {
	t.Helper()
	folder := datadir.Dir(dir).LakeTable(table)
	if err := os.MkdirAll(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	mem, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	target := filepath.ToSlash(filepath.Join(folder, name))
	if _, err := mem.Exec("COPY (" + query + ") TO '" + target + "' (FORMAT parquet, COMPRESSION zstd)"); err != nil {
		t.Fatalf("write %s: %v", target, err)
	}
}

// WriteLake writes the small test lake into dir: six grabs around midnight of 2014-01-31 in Beijing, two files; two
// envelopes written with naive UTC timestamps; one quarantined message; no folder for the
// other tables.
//
//	minute (CST)       claims attempts claimed_fen
//	2014-01-30 23:59   1      1        500
//	2014-01-31 00:00   3      4        9150   <- busiest
//	2014-01-31 00:01   0      1        0
func WriteLake(t testing.TB, dir string) {
	t.Helper()
	WriteParquet(t, dir, "grabs", "p0-0-3.parquet", `
		SELECT * FROM (VALUES
			('g1', TIMESTAMPTZ '2014-01-30 15:59:50+00', 'env1', 'u1', 'claimed', 500::BIGINT, 0, 0::BIGINT),
			('g2', TIMESTAMPTZ '2014-01-30 16:00:10+00', 'env1', 'u2', 'claimed', 100::BIGINT, 0, 1::BIGINT),
			('g3', TIMESTAMPTZ '2014-01-30 16:00:20+00', 'env1', 'u3', 'claimed', 250::BIGINT, 0, 2::BIGINT),
			('g4', TIMESTAMPTZ '2014-01-30 16:00:30+00', 'env1', 'u4', 'missed', NULL, 0, 3::BIGINT))
		AS t(event_id, ts, envelope_id, user_id, outcome, amount_fen, kafka_partition, kafka_offset)`)
	WriteParquet(t, dir, "grabs", "p1-0-1.parquet", `
		SELECT * FROM (VALUES
			('g5', TIMESTAMPTZ '2014-01-30 16:00:59+00', 'env2', 'u5', 'claimed', 8800::BIGINT, 1, 0::BIGINT),
			('g6', TIMESTAMPTZ '2014-01-30 16:01:05+00', 'env2', 'u6', 'missed', NULL, 1, 1::BIGINT))
		AS t(event_id, ts, envelope_id, user_id, outcome, amount_fen, kafka_partition, kafka_offset)`)
	// A file being written, and a file of another kind: both ignored.
	WriteParquet(t, dir, "grabs", ".p1-2-9.parquet.tmp", `SELECT 1 AS x`)
	WriteParquet(t, dir, "grabs", ".p1-2-9.parquet", `SELECT 1 AS x`)
	WriteParquet(t, dir, "envelopes", "p0-0-1.parquet", `
		SELECT * FROM (VALUES
			('e1', TIMESTAMP '2014-01-30 15:59:00', 'env1', 'u0', 'chat1', 'lucky', 10000::BIGINT, 4::INTEGER, 0::INTEGER, 0::BIGINT),
			('e2', TIMESTAMP '2014-01-30 16:00:58', 'env2', 'u0', 'chat2', 'fixed', 20000::BIGINT, 2::INTEGER, 0::INTEGER, 1::BIGINT))
		AS t(event_id, ts, envelope_id, sender_id, chat_id, kind, total_fen, shares, kafka_partition, kafka_offset)`)
	WriteParquet(t, dir, "quarantine", "p0-4-4.parquet", `
		SELECT 'hongbao.events' AS kafka_topic, 0::INTEGER AS kafka_partition, 4::BIGINT AS kafka_offset,
			NULL::BLOB AS kafka_key, TIMESTAMPTZ '2014-01-30 16:00:00+00' AS kafka_ts,
			'{"type":"envelope_grabbed"'::BLOB AS raw, 'bad_json' AS reason, 'unexpected end of JSON input' AS detail,
			TIMESTAMPTZ '2014-01-30 16:00:01+00' AS ingested_at`)
}
