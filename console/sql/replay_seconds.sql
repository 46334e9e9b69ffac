-- replay_seconds: claims and attempts in each second of the hour around a local minute,
-- from grabs. $1 is the minute as a naive local (China Standard Time) TIMESTAMP;
-- second is a grab's offset from it in whole seconds, -1800 (half an hour before) to
-- 1799; seconds without grabs are left out. The window is bounded in instants, so
-- no grab's time is converted to local time.
WITH peak AS (
    SELECT timezone({zone}, CAST($1 AS TIMESTAMP)) AS at
)
SELECT
    CAST(floor(epoch(g.ts) - epoch(peak.at)) AS INTEGER)  AS second,
    count(*) FILTER (WHERE g.outcome = 'claimed')         AS claims,
    count(*)                                              AS attempts
FROM grabs g, peak
WHERE g.ts >= peak.at - INTERVAL 30 MINUTE
  AND g.ts <  peak.at + INTERVAL 30 MINUTE
GROUP BY 1
ORDER BY 1
