-- claims_per_minute_avg: claims per minute from {from} to {end}, from grabs. Reading B
-- takes Eve 00:00 to Day 1 16:00 (2,400 minutes); reading A the time since the launch
-- (the first simulated minute).
SELECT count(*) / (epoch({end} - {from}) / 60) AS claims_per_minute
FROM grabs
WHERE outcome = 'claimed' AND ts >= {from} AND ts < {end}
