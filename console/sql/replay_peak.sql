-- replay_peak: the busiest minute of claims, as a naive local (China Standard Time)
-- TIMESTAMP, with its claims and attempts, from claims_per_minute. The earliest wins a
-- tie. The replay plays the hour around it, so any calibration's peak is found in the
-- data rather than assumed.
SELECT minute, claims, attempts
FROM claims_per_minute
ORDER BY claims DESC, minute
LIMIT 1
