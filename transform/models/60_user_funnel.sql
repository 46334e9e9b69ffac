-- user_funnel: each user's way from a red envelope to WeChat Pay, from user_grabs,
-- user_bindings, withdrawals and payments. The first grab, the first claim, and with
-- WeChat Pay the first binding try, the first bound card, the first withdrawal and the
-- first payment, NULL where the user never got there. One row per user who did any of
-- them. The report's funnel (claimers only, each stage within the one before) and the
-- adoption_funnel notebook's (every user at each stage) count its rows.
-- The refresh builds it in three passes, one for each third of the users: {user_part}
-- stands for hash(user_id) % 3 = 0, then 1 and 2 (true for one pass of every user).
-- In one pass, after user_grabs in the same transaction, the refresh of the full
-- festival took 1.22 GB.
--
-- Columns:
-- - user_id: The user.
-- - first_grab_at: The user's first grab, claimed or missed; NULL if the user never
--   grabbed.
-- - first_claim_at: The user's first claimed grab; NULL if none.
-- - first_bind_attempt_at: The user's first try to bind a card to WeChat Pay; NULL if
--   none.
-- - first_bound_at: The user's first card bound to WeChat Pay; NULL if none.
-- - first_withdrawal_at: The user's first withdrawal from WeChat Pay to a card; NULL if
--   none.
-- - first_payment_at: The user's first payment with WeChat Pay; NULL if none.
WITH grabbed AS (
    SELECT user_id, first_grab_at, first_claim_at
    FROM user_grabs
    WHERE {user_part}
), bound AS (
    SELECT user_id, first_attempt_at AS first_bind_attempt_at, first_bound_at
    FROM user_bindings
    WHERE provider = 'wechat_pay'
      AND {user_part}
), spent AS (
    -- The first withdrawal and the first payment, in one pass over both tables.
    SELECT user_id,
           min(ts) FILTER (WHERE step = 'withdrawal')   AS first_withdrawal_at,
           min(ts) FILTER (WHERE step = 'payment')      AS first_payment_at
    FROM (
        SELECT user_id, ts, provider, 'withdrawal' AS step FROM withdrawals
        UNION ALL
        SELECT user_id, ts, provider, 'payment' AS step FROM payments
    )
    WHERE provider = 'wechat_pay'
      AND {user_part}
    GROUP BY user_id
)
SELECT
    user_id,
    first_grab_at,
    first_claim_at,
    first_bind_attempt_at,
    first_bound_at,
    first_withdrawal_at,
    first_payment_at
FROM grabbed
FULL JOIN bound USING (user_id)
FULL JOIN spent USING (user_id)
