-- claims_per_hour: grabs per hour of Asia/Shanghai wall-clock time, from claims_per_minute.
-- hour is the local hour as a naive TIMESTAMP, like claims_per_minute.minute; claims,
-- attempts and claimed_fen are that hour's minutes added up. An hour without a grab has
-- no row. The sums are HUGEINT, as DuckDB adds BIGINTs up. The report's hourly chart
-- and the midnight_peak notebook read it.
--
-- Columns:
-- - hour: The hour, in Beijing wall-clock time (Asia/Shanghai) as a TIMESTAMP without
--   zone: 2014-01-31 00:00 is the first hour of the Lunar New Year.
-- - claims: Grabs that claimed a share in that hour.
-- - attempts: All grabs in that hour, claimed and missed.
-- - claimed_fen: The money claimed in that hour, in fen.
SELECT
    date_trunc('hour', minute)  AS hour,
    sum(claims)                 AS claims,
    sum(attempts)               AS attempts,
    sum(claimed_fen)            AS claimed_fen
FROM claims_per_minute
GROUP BY hour
ORDER BY hour
