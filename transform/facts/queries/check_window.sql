-- check_window: consistency note 1, the window of the figures, from grabs and
-- claims_per_minute: the claims up to {end}, the first claim, the claims and the
-- attempts from Eve 00:00 ({eve}) to {end}, and the busiest minute's claims.
SELECT count(*) FILTER (WHERE outcome = 'claimed' AND ts < {end}) AS claims,
       min(ts) FILTER (WHERE outcome = 'claimed') AS first_claim,
       count(*) FILTER (WHERE outcome = 'claimed' AND ts >= {eve} AND ts < {end}) AS claims_eve_to_day1,
       count(*) FILTER (WHERE ts >= {eve} AND ts < {end}) AS attempts_eve_to_day1,
       (SELECT max(claims) FROM claims_per_minute) AS peak_claims
FROM grabs
