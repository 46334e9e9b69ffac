-- links_per_day: the fake-envelope links shared on each local day, from links.
SELECT CAST(timezone({zone}, ts) AS DATE) AS day, count(*) AS links
FROM links
GROUP BY day
ORDER BY day
