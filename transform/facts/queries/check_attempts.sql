-- check_attempts: consistency note 2, participations against opens, from
-- claims_per_minute: the attempts and claims of the five minutes from {peak_local}, and
-- the claims of its first minute. The checks' SQL is part of the sheet's output (JSON),
-- kept as it was, so this one reads claims_per_minute rather than midnight_window.
SELECT sum(attempts) AS attempts, sum(claims) AS claims,
       (SELECT claims FROM claims_per_minute WHERE minute = {peak_local}) AS peak_claims
FROM claims_per_minute
WHERE minute >= {peak_local} AND minute < {peak_local} + INTERVAL 5 MINUTE
