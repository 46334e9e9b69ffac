-- eve_participants: distinct users who sent or grabbed an envelope on Eve night,
-- {night_start} to {night_end}, from grabs and envelopes.
SELECT count(DISTINCT user_id) AS participants
FROM (SELECT user_id FROM grabs WHERE ts >= {night_start} AND ts < {night_end}
      UNION ALL
      SELECT sender_id FROM envelopes WHERE ts >= {night_start} AND ts < {night_end})
