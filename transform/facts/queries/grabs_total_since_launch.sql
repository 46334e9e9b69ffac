-- grabs_total_since_launch: reading A of grabs_total, successful claims from the launch
-- up to {end} (Day 1 16:00), from grabs.
SELECT count(*) AS claims
FROM grabs
WHERE outcome = 'claimed' AND ts < {end}
