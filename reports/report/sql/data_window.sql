-- data_window: the claims, the first grab and the last, from grabs.
SELECT count(*) FILTER (WHERE outcome = 'claimed') AS claims, min(ts) AS first_grab, max(ts) AS last_grab
FROM grabs
