-- grabs_total: grab attempts, claims and misses alike, from {from} to {end} (reading B:
-- Eve 00:00 to Day 1 16:00, where Tenpay's release counts the 75 M grabs), from grabs.
SELECT count(*) AS attempts
FROM grabs
WHERE ts >= {from} AND ts < {end}
