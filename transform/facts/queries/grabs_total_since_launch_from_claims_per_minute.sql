-- grabs_total_since_launch_from_claims_per_minute: reading A of grabs_total from the
-- model claims_per_minute, when the windows fall on whole minutes: the claims of the
-- minutes before {end} (Day 1 16:00).
SELECT coalesce(sum(claims), 0)::BIGINT AS claims
FROM claims_per_minute
WHERE minute < {end_local}
