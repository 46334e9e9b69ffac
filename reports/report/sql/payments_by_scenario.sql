-- payments_by_scenario: the payments and their amount in fen for each provider and
-- scenario, from payments.
SELECT provider, scenario, count(*) AS payments, CAST(coalesce(sum(amount_fen), 0) AS BIGINT) AS fen
FROM payments
GROUP BY ALL
