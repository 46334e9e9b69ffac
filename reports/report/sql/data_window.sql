-- data_window: the claims, from claims_per_minute, and the first grab and the last, from
-- grabs. Counting the claims from the model instead of the 124 M grabs of the full
-- festival took the query from 1.2 to 0.6 s.
SELECT (SELECT coalesce(sum(claims), 0) FROM claims_per_minute)::BIGINT AS claims,
       min(ts) AS first_grab,
       max(ts) AS last_grab
FROM grabs
