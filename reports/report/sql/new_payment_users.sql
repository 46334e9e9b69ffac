-- new_payment_users: the users whose first card was bound to each provider in each local
-- hour, from user_bindings.
SELECT date_trunc('hour', timezone({zone}, first_bound_at)) AS hour, provider, count(*) AS users
FROM user_bindings
WHERE first_bound_at IS NOT NULL
GROUP BY ALL
ORDER BY hour
