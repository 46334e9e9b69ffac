-- first5min_participations: grab attempts, claims and misses alike, in the five minutes
-- from the midnight {peak_local}, from midnight_window (consistency note 2).
SELECT sum(attempts) AS attempts
FROM midnight_window
WHERE midnight = {peak_local} AND from_midnight BETWEEN 0 AND 4
