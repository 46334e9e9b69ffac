-- max_claims_one_user: the claims of the heaviest grabber up to the end of Eve night
-- ({night_end}), from grabs.
SELECT max(claims) AS heaviest_grabber_claims
FROM (SELECT user_id, count(*) AS claims
      FROM grabs
      WHERE outcome = 'claimed' AND ts < {night_end}
      GROUP BY user_id)
