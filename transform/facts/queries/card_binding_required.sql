-- card_binding_required: withdrawals made before their user had bound a card to the
-- provider, and whether there are withdrawals at all, from withdrawals and user_bindings.
SELECT count(*) AS withdrawals_without_prior_binding,
       (SELECT count(*) FROM withdrawals) > 0 AS has_withdrawals
FROM withdrawals w
LEFT JOIN user_bindings b ON b.user_id = w.user_id AND b.provider = w.provider
WHERE b.first_bound_at IS NULL OR b.first_bound_at > w.ts
