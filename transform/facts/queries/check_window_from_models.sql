-- check_window_from_models: consistency note 1 (check_window) from the models, when the
-- warehouse's festival_windows are the run's and fall on whole minutes: the claims up to
-- {end} and the claims and attempts from Eve 00:00 ({eve}) to {end} from
-- claims_per_minute, the first claim from user_grabs, and the busiest minute's claims.
SELECT coalesce(sum(claims) FILTER (WHERE minute < {end_local}), 0)::BIGINT AS claims,
       (SELECT min(first_claim_at) FROM user_grabs) AS first_claim,
       coalesce(sum(claims) FILTER (WHERE minute >= {eve_local} AND minute < {end_local}), 0)::BIGINT AS claims_eve_to_day1,
       coalesce(sum(attempts) FILTER (WHERE minute >= {eve_local} AND minute < {end_local}), 0)::BIGINT AS attempts_eve_to_day1,
       max(claims) AS peak_claims
FROM claims_per_minute
