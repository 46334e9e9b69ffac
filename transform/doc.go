// Package transform is the warehouse stage of the pipeline: in one transaction it makes
// the DuckDB file DIR/warehouse.duckdb show the Parquet lake (DIR/lake/<table>/*.parquet,
// written by package ingest), the event tables as views reading the committed files in
// place (each new file checked once against its commit marker), the quarantine copied,
// then rebuilds the SQL models (embedded models/*.sql files, run in name order) on top. Everything downstream
// (facts, reports, notebooks and the read-only 'hongbao sql' command) reads the warehouse
// through Warehouse.DB or Query; Result's formatters print query results as an aligned
// table, CSV, JSON or Markdown, and Export writes them to a file, Parquet included. The
// data dictionary (Dictionary, Catalog) describes every table and column, once, for
// 'hongbao sql --describe' and docs/warehouse.md; Shell is the loop behind the SQL prompt
// and scripts, splitting statements (SplitStatements) and showing where one failed
// (WithCaret).
package transform
