-- grabs_in_window: the grabs of the data, and how many of them fall in the window the
-- figures refer to ({from} to {end}), from grabs. None inside while some exist means
-- the data is not the festival the windows describe (another run's run.json beside it).
SELECT count(*) AS grabs,
       count(*) FILTER (WHERE ts >= {from} AND ts < {end}) AS inside
FROM grabs
