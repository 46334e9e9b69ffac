-- max_claims_one_user_from_user_grabs: max_claims_one_user from the model user_grabs,
-- whose windows (festival_windows) are the sheet's: the claims of the heaviest grabber up
-- to the end of Eve night ({night_end}).
SELECT max(claims_to_eve_night_end) FILTER (WHERE claims_to_eve_night_end > 0) AS heaviest_grabber_claims
FROM user_grabs
