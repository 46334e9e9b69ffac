-- peak_opens_per_minute: the claims of the minute {peak_local} and whether it is the
-- busiest minute, from claims_per_minute.
SELECT claims,
       claims = (SELECT max(claims) FROM claims_per_minute) AS is_busiest_minute
FROM claims_per_minute
WHERE minute = {peak_local}
