-- check_window: consistency note 1, the window of the 75 million claims, from grabs and
-- claims_per_minute: the claims up to {end}, the first claim, the claims from Eve 00:00
-- ({eve}) to {end}, and the busiest minute's claims.
SELECT count(*) FILTER (WHERE ts < {end}) AS claims,
       min(ts) AS first_claim,
       count(*) FILTER (WHERE ts >= {eve} AND ts < {end}) AS claims_eve_to_day1,
       (SELECT max(claims) FROM claims_per_minute) AS peak_claims
FROM grabs
WHERE outcome = 'claimed'
