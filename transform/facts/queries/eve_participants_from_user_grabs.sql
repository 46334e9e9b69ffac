-- eve_participants_from_user_grabs: eve_participants from the model user_grabs, whose
-- windows (festival_windows) are the sheet's, and envelopes: the users who grabbed on Eve
-- night, plus those who sent an envelope then ({night_start} to {night_end}) without
-- grabbing. Counted as a sum rather than as a UNION of the two lists: the UNION put all
-- 4.8 M ids of the full festival through one hash table, where the ANTI JOIN looks up
-- only the 1.2 M senders; 1.1-1.5 s against 1.4-1.8 s (docs/BENCHMARKS.md).
SELECT (SELECT count(*) FROM user_grabs WHERE grabbed_eve_night)
     + (SELECT count(*)
        FROM (SELECT DISTINCT sender_id FROM envelopes WHERE ts >= {night_start} AND ts < {night_end}) AS s
        ANTI JOIN user_grabs AS g ON g.user_id = s.sender_id AND g.grabbed_eve_night) AS participants
