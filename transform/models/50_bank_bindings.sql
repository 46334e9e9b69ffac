-- bank_bindings: card bindings per provider and bank, from card_bindings. Tries, bound,
-- refused as bank_not_supported, the distinct users who tried, and those refused. The
-- report's banks section, the facts sheet's bank counts and the bank_coverage notebook
-- read it.
--
-- Columns:
-- - provider: 'wechat_pay' or 'alipay'.
-- - bank_code: The bank of the cards (banks.code).
-- - attempts: Binding tries with cards of this bank.
-- - bound: Tries that bound a card.
-- - refused: Tries refused as bank_not_supported: the provider did not support the bank.
-- - users: Distinct users who tried a card of this bank.
-- - refused_users: Distinct users refused at least once for this bank.
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
