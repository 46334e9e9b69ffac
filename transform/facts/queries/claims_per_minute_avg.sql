-- claims_per_minute_avg: claims per minute from the first claim to {end}, from grabs.
-- Consistency note 1 reads both reported averages (9,412 and "more than 9,000") this
-- way: the claims divided by the minutes from the first claim (the launch, in the data)
-- to Day 1 16:00.
SELECT count(*) / (epoch({end} - date_trunc('minute', min(ts))) / 60) AS claims_per_minute
FROM grabs
WHERE outcome = 'claimed' AND ts < {end}
