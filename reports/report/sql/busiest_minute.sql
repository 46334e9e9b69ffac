-- busiest_minute: the minute with the most claims, the earliest on ties, with its claims
-- and attempts, from claims_per_minute.
SELECT minute, claims, attempts
FROM claims_per_minute
ORDER BY claims DESC, minute
LIMIT 1
