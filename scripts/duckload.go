//go:build ignore

// duckload is the DuckDB half of the plain path that scripts/bench-side-by-side
// measures hongbao against: what a user does with the DuckDB CLI, done through the
// same DuckDB library hongbao links (this machine has no duckdb binary). Build it with
// 'go build -o BIN scripts/duckload.go'.
//
//	duckload NDJSON DB PARQUET   reads the JSON lines of NDJSON into table events of
//	                             the DuckDB file DB (read_json, types guessed), writes
//	                             the table to PARQUET (zstd), prints the rows
package main

import (
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: duckload NDJSON DB PARQUET")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "duckload:", err)
		os.Exit(1)
	}
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func run(ndjson, dbPath, parquet string) error {
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if _, err := db.Exec("CREATE OR REPLACE TABLE events AS SELECT * FROM read_json(" + quote(ndjson) + ", format = 'newline_delimited')"); err != nil {
		return fmt.Errorf("read_json: %w", err)
	}
	loaded := time.Since(start)
	start = time.Now()
	if _, err := db.Exec("COPY events TO " + quote(parquet) + " (FORMAT parquet, COMPRESSION zstd)"); err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	var n int64
	if err := db.QueryRow("SELECT count(*) FROM events").Scan(&n); err != nil {
		return err
	}
	fmt.Printf("%d rows; read_json %.1f s, COPY to Parquet %.1f s\n", n, loaded.Seconds(), time.Since(start).Seconds())
	return nil
}
