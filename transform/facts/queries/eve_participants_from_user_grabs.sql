-- eve_participants_from_user_grabs: eve_participants from the model user_grabs, whose
-- windows (festival_windows) are the sheet's, and envelopes: the users who grabbed on Eve
-- night, with those who sent an envelope then ({night_start} to {night_end}).
SELECT count(*) AS participants
FROM (SELECT user_id FROM user_grabs WHERE grabbed_eve_night
      UNION
      SELECT sender_id FROM envelopes WHERE ts >= {night_start} AND ts < {night_end})
