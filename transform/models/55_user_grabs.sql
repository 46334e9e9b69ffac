-- user_grabs: each user's grabs in one row, from grabs: the first grab and the first
-- claim, the attempts and the claims, and three answers about the festival's windows
-- (the run record's, or the 2014 festival's for data without one; festival_windows
-- says which instants): the claims up to the end of Eve night ({night_end}), whether
-- the user grabbed from Eve 00:00 ({eve}) to {end}, and whether on Eve night
-- ({night_start} to {night_end}). user_funnel reads it, and so does the facts sheet,
-- when festival_windows holds its windows: the sheet's per-user figures then count
-- rows here instead of grouping 124 M grabs at full scale. Built in three passes, one
-- for each third of the users ({user_part}, as user_funnel is).
--
-- Columns:
-- - user_id: The user; one row for each user who grabbed.
-- - first_grab_at: The user's first grab, claimed or missed.
-- - first_claim_at: The user's first claimed grab; NULL if none.
-- - attempts: The user's grabs, claimed or missed.
-- - claims: The user's claimed grabs.
-- - claims_to_eve_night_end: Claimed grabs before the end of Eve night
--   (festival_windows.eve_night_end).
-- - grabbed_eve_to_end: Whether the user grabbed from Eve 00:00 to the end of the figures'
--   window (festival_windows.eve_start to end_at).
-- - grabbed_eve_night: Whether the user grabbed on Eve night
--   (festival_windows.eve_night_start to eve_night_end).
SELECT user_id,
       min(ts)                                                          AS first_grab_at,
       min(ts) FILTER (WHERE outcome = 'claimed')                       AS first_claim_at,
       count(*)                                                         AS attempts,
       count(*) FILTER (WHERE outcome = 'claimed')                      AS claims,
       count(*) FILTER (WHERE outcome = 'claimed' AND ts < {night_end}) AS claims_to_eve_night_end,
       coalesce(bool_or(ts >= {eve} AND ts < {end}), false)             AS grabbed_eve_to_end,
       coalesce(bool_or(ts >= {night_start} AND ts < {night_end}), false) AS grabbed_eve_night
FROM grabs
WHERE {user_part}
GROUP BY user_id
