-- grabs_total_from_claims_per_minute: grabs_total from the model claims_per_minute, when
-- the windows fall on whole minutes: the attempts of the minutes from {from} to {end}.
SELECT coalesce(sum(attempts), 0)::BIGINT AS attempts
FROM claims_per_minute
WHERE minute >= {from_local} AND minute < {end_local}
