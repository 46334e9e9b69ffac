-- users_eve_to_day1: distinct grabbers from Eve 00:00 ({eve}) to {end}, from grabs.
SELECT count(DISTINCT user_id) AS grabbers
FROM grabs
WHERE ts >= {eve} AND ts < {end}
