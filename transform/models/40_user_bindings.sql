-- user_bindings: each user's card bindings with one provider, from card_bindings. When,
-- with which bank and with what outcome the user first tried (ties broken by event_id),
-- when a card was first bound (NULL if never), and how many tries there were, bound or
-- refused as bank_not_supported. A user who tried both providers has two rows. The
-- report's adoption and bank sections, the facts sheet's binding rule and user_funnel
-- read it. The first try is the first row of the user's window in (ts, event_id) order:
-- at full scale that takes 437 MB where three arg_min aggregates took 800 MB.
--
-- Columns:
-- - provider: 'wechat_pay' or 'alipay'.
-- - user_id: The user binding cards.
-- - first_attempt_at: The user's first binding try with this provider.
-- - first_event_id: The event_id of that try (card_bindings.event_id), which breaks ties
--   between tries at the same instant.
-- - first_bank_code: The bank of the card first tried (banks.code).
-- - first_outcome: How the first try ended: 'ok' or 'bank_not_supported'.
-- - first_bound_at: The user's first successful binding with this provider; NULL if none
--   succeeded.
-- - attempts: Binding tries with this provider.
-- - bound: Tries that bound a card.
-- - refused: Tries refused as bank_not_supported.
SELECT
    provider,
    user_id,
    ts                                                          AS first_attempt_at,
    event_id                                                    AS first_event_id,
    bank_code                                                   AS first_bank_code,
    outcome                                                     AS first_outcome,
    min(ts) FILTER (WHERE outcome = 'ok') OVER tries            AS first_bound_at,
    count(*) OVER tries                                         AS attempts,
    count(*) FILTER (WHERE outcome = 'ok') OVER tries           AS bound,
    count(*) FILTER (WHERE outcome = 'bank_not_supported') OVER tries AS refused
FROM card_bindings
WINDOW tries AS (PARTITION BY provider, user_id)
QUALIFY row_number() OVER (PARTITION BY provider, user_id ORDER BY ts, event_id) = 1
