-- users_eve_to_day1_from_user_grabs: users_eve_to_day1 from the model user_grabs, whose
-- windows (festival_windows) are the sheet's: the users who grabbed from Eve 00:00
-- ({eve}) to {end}.
SELECT count(*) AS grabbers
FROM user_grabs
WHERE grabbed_eve_to_end
