-- hours: the claims and attempts of each hour from {from} to {to}, local wall-clock
-- time, from claims_per_hour; hours without grabs have no row.
SELECT hour, claims, attempts
FROM claims_per_hour
WHERE hour >= {from} AND hour < {to}
ORDER BY hour
