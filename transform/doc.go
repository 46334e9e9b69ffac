// Package transform is the warehouse stage of the pipeline: it loads the Parquet lake
// (DIR/lake/<table>/*.parquet, written by package ingest) into a self-contained DuckDB file,
// DIR/warehouse.duckdb, in one transaction, then rebuilds the SQL models (embedded
// models/*.sql files, run in name order) on top of those tables. Everything downstream
// (facts, reports, notebooks and the read-only 'hongbao sql' command) reads the warehouse
// through Warehouse.DB or Query; Result's formatters print query results as an aligned
// table, CSV, JSON or Markdown, and Export writes them to a file, Parquet included. The
// data dictionary (Dictionary, Catalog) describes every table and column, once, for
// 'hongbao sql --describe' and docs/warehouse.md; Shell is the loop behind the SQL prompt
// and scripts, splitting statements (SplitStatements) and showing where one failed
// (WithCaret).
package transform
