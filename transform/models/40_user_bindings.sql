-- user_bindings: each user's card bindings with one provider, from card_bindings. When,
-- with which bank and with what outcome the user first tried (ties broken by event_id),
-- when a card was first bound (NULL if never), and how many tries there were, bound or
-- refused as bank_not_supported. A user who tried both providers has two rows. The
-- report's adoption and bank sections, the facts sheet's binding rule and user_funnel
-- read it. The first try is the first row of the user's window in (ts, event_id) order:
-- at full scale that takes 437 MB where three arg_min aggregates took 800 MB.
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
