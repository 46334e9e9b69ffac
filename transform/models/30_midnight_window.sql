-- midnight_window: grabs minute by minute around each local midnight, from claims_per_minute.
-- The window is the two hours around each midnight the data reaches. midnight is the
-- local midnight as a naive TIMESTAMP (2014-01-31 00:00 opens the Lunar New Year and
-- holds the reported peak), from_midnight the minute's offset from it, -60 (23:00) to 59
-- (00:59), and minute the local minute; a minute without grabs counts zero, so each
-- midnight has 120 rows. The facts sheet, the report and the midnight_peak notebook read
-- the peak's five minutes and its two hours here.
--
-- Columns:
-- - midnight: The local midnight the row belongs to, in Beijing wall-clock time as a
--   TIMESTAMP without zone; 2014-01-31 00:00 is the Lunar New Year's.
-- - from_midnight: Minutes from midnight to the row's minute: -60 for 23:00, 0 for 00:00,
--   59 for 00:59.
-- - minute: The minute, in Beijing wall-clock time as a TIMESTAMP without zone
--   (claims_per_minute.minute).
-- - claims: Grabs that claimed a share in that minute; 0 when there were none.
-- - attempts: All grabs in that minute, claimed and missed; 0 when there were none.
-- - claimed_fen: The money claimed in that minute, in fen.
WITH midnights AS (
    SELECT unnest(generate_series(date_trunc('day', min(minute)),
                                  date_trunc('day', max(minute)) + INTERVAL 1 DAY,
                                  INTERVAL 1 DAY)) AS midnight,
           min(minute) AS first_minute,
           max(minute) AS last_minute
    FROM claims_per_minute
), window_minutes AS (
    SELECT midnight,
           from_midnight::INTEGER                              AS from_midnight,
           midnight + from_midnight * INTERVAL 1 MINUTE        AS minute
    FROM midnights, range(-60, 60) AS r(from_midnight)
    WHERE midnight - INTERVAL 60 MINUTE <= last_minute
      AND midnight + INTERVAL 59 MINUTE >= first_minute
)
SELECT
    w.midnight,
    w.from_midnight,
    w.minute,
    coalesce(c.claims, 0)       AS claims,
    coalesce(c.attempts, 0)     AS attempts,
    coalesce(c.claimed_fen, 0)  AS claimed_fen
FROM window_minutes w
LEFT JOIN claims_per_minute c USING (minute)
ORDER BY w.minute
