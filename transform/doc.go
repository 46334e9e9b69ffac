// Package transform is the warehouse stage of the pipeline: it loads the Parquet lake
// (DIR/lake/<table>/*.parquet, written by package ingest) into a self-contained DuckDB file,
// DIR/warehouse.duckdb, in one transaction, then rebuilds the SQL models (embedded
// models/*.sql files, run in name order) on top of those tables. Everything downstream
// (facts, reports, notebooks and the read-only 'hongbao sql' command) reads the warehouse
// through Warehouse.DB or Query; Result's formatters print query results as an aligned
// table, CSV, JSON or Markdown.
package transform
