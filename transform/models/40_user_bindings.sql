-- user_bindings: each user's card bindings with one provider, from card_bindings. When,
-- with which bank and with what outcome the user first tried (ties broken by event_id),
-- when a card was first bound (NULL if never), and how many tries there were, bound or
-- refused as bank_not_supported. A user who tried both providers has two rows. The
-- report's adoption and bank sections, the facts sheet's binding rule and user_funnel
-- read it.
SELECT
    provider,
    user_id,
    min(ts)                                                 AS first_attempt_at,
    arg_min(event_id, (ts, event_id))                       AS first_event_id,
    arg_min(bank_code, (ts, event_id))                      AS first_bank_code,
    arg_min(outcome, (ts, event_id))                        AS first_outcome,
    min(ts) FILTER (WHERE outcome = 'ok')                   AS first_bound_at,
    count(*)                                                AS attempts,
    count(*) FILTER (WHERE outcome = 'ok')                  AS bound,
    count(*) FILTER (WHERE outcome = 'bank_not_supported')  AS refused
FROM card_bindings
GROUP BY provider, user_id
