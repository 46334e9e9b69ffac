-- claims_per_minute: grabs per minute of Asia/Shanghai wall-clock time, from table grabs.
-- minute is the local minute (CST, UTC+8) as a naive TIMESTAMP, so 2014-01-31 00:00 is
-- the first minute of the Lunar New Year whatever the session time zone; claims counts
-- claimed grabs, attempts counts every grab (claimed + missed), claimed_fen sums the
-- claimed amounts in fen.
SELECT
    date_trunc('minute', timezone('Asia/Shanghai', ts))                     AS minute,
    count(*) FILTER (WHERE outcome = 'claimed')                             AS claims,
    count(*)                                                                AS attempts,
    CAST(coalesce(sum(amount_fen) FILTER (WHERE outcome = 'claimed'), 0) AS BIGINT) AS claimed_fen
FROM grabs
GROUP BY ALL
ORDER BY minute
