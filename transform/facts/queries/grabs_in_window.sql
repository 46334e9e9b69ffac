-- grabs_in_window: the grabs of the data, and how many of them fall in the window the
-- figures refer to ({from_local} to {end_local}), from claims_per_minute, which has
-- counted them minute by minute already. None inside while some exist means the data
-- is not the festival the windows describe (another run's run.json beside it).
SELECT coalesce(sum(attempts), 0) AS grabs,
       coalesce(sum(attempts) FILTER (WHERE minute >= {from_local} AND minute < {end_local}), 0) AS inside
FROM claims_per_minute
