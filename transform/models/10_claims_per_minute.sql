-- claims_per_minute: grabs per minute of Asia/Shanghai wall-clock time, from table grabs.
-- minute is the local minute (CST, UTC+8) as a naive TIMESTAMP, so 2014-01-31 00:00 is
-- the first minute of the Lunar New Year whatever the session time zone; claims counts
-- claimed grabs, attempts counts every grab (claimed + missed), claimed_fen sums the
-- claimed amounts in fen. Rows are bucketed as instants and only the buckets converted
-- to local time: Shanghai's offset is whole hours, so a UTC minute is a local minute,
-- and one zone conversion per minute is far cheaper than one per grab.
SELECT
    timezone({zone}, bucket) AS minute,
    claims,
    attempts,
    claimed_fen
FROM (
    SELECT
        time_bucket(INTERVAL 1 MINUTE, ts)                                               AS bucket,
        count(*) FILTER (WHERE outcome = 'claimed')                                      AS claims,
        count(*)                                                                         AS attempts,
        CAST(coalesce(sum(amount_fen) FILTER (WHERE outcome = 'claimed'), 0) AS BIGINT)  AS claimed_fen
    FROM grabs
    GROUP BY bucket
)
ORDER BY minute
