-- binding_outcomes: what each provider's bindings came to, from user_bindings: the users
-- who tried, those whose first card was bound, the tries refused as bank_not_supported,
-- the refused users who never bound a card and those who bound another afterwards.
SELECT provider,
       count(*)                                         AS users,
       count(*) FILTER (WHERE first_outcome = 'ok')     AS first_ok,
       sum(refused)::BIGINT                             AS rejected,
       count(*) FILTER (WHERE refused > 0 AND bound = 0) AS lost_users,
       count(*) FILTER (WHERE refused > 0 AND bound > 0) AS recovered
FROM user_bindings
GROUP BY provider
