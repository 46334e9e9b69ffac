-- tables: each table the last refresh built, with its kind, rows, lake files and bytes,
-- and when it was built, in build order, from _hongbao_meta.
SELECT name, kind, row_count, lake_files, lake_bytes, refreshed_at
FROM _hongbao_meta
ORDER BY ord
