-- claims_per_minute_avg_from_claims_per_minute: claims_per_minute_avg from the model
-- claims_per_minute, when the windows fall on whole minutes: the claims of the minutes
-- from {from} to {end}, over those minutes.
SELECT coalesce(sum(claims), 0) / (epoch({end} - {from}) / 60) AS claims_per_minute
FROM claims_per_minute
WHERE minute >= {from_local} AND minute < {end_local}
