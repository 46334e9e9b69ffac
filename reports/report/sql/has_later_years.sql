-- has_later_years: whether the warehouse holds the reference table later_years (one
-- built before it existed does not; the report then reads the table from refdata).
SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'later_years'
