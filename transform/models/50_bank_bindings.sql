-- bank_bindings: card bindings per provider and bank, from card_bindings. Tries, bound,
-- refused as bank_not_supported, the distinct users who tried, and those refused. The
-- report's banks section, the facts sheet's bank counts and the bank_coverage notebook
-- read it.
SELECT
    provider,
    bank_code,
    count(*)                                                          AS attempts,
    count(*) FILTER (WHERE outcome = 'ok')                            AS bound,
    count(*) FILTER (WHERE outcome = 'bank_not_supported')            AS refused,
    count(DISTINCT user_id)                                           AS users,
    count(DISTINCT user_id) FILTER (WHERE outcome = 'bank_not_supported') AS refused_users
FROM card_bindings
GROUP BY provider, bank_code
