-- provider_totals: each provider's binding tries (bound, refused as bank_not_supported),
-- users with a bound card, payments and withdrawals with their amounts in fen, from
-- user_bindings, payments and withdrawals.
WITH b AS (
    SELECT provider, sum(attempts) AS bind_attempts, sum(bound) AS bind_ok, sum(refused) AS bind_rejected,
           count(*) FILTER (WHERE first_bound_at IS NOT NULL) AS bound_users
    FROM user_bindings
    GROUP BY provider
), p AS (
    SELECT provider, count(*) AS payments, sum(amount_fen) AS payment_fen FROM payments GROUP BY provider
), w AS (
    SELECT provider, count(*) AS withdrawals, sum(amount_fen) AS withdrawal_fen FROM withdrawals GROUP BY provider
)
SELECT provider,
       coalesce(bind_attempts, 0)::BIGINT  AS bind_attempts,
       coalesce(bind_ok, 0)::BIGINT        AS bind_ok,
       coalesce(bind_rejected, 0)::BIGINT  AS bind_rejected,
       coalesce(bound_users, 0)::BIGINT    AS bound_users,
       coalesce(payments, 0)::BIGINT       AS payments,
       coalesce(payment_fen, 0)::BIGINT    AS payment_fen,
       coalesce(withdrawals, 0)::BIGINT    AS withdrawals,
       coalesce(withdrawal_fen, 0)::BIGINT AS withdrawal_fen
FROM b
FULL JOIN p USING (provider)
FULL JOIN w USING (provider)
