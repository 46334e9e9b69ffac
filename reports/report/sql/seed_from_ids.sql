-- seed_from_ids: how many simulator seeds the event ids carry, and the smallest, from
-- grabs. The simulator's ids start "s<seed in base 36>-"; one seed is the run's.
SELECT count(DISTINCT coalesce(regexp_extract(event_id, '^s([0-9a-z]+)-', 1), '')) AS seeds,
       min(regexp_extract(event_id, '^s([0-9a-z]+)-', 1)) AS seed
FROM grabs
