-- first_cards: the users by the bank of the first card they tried to bind, with any
-- provider, most first, from user_bindings.
SELECT count(*) AS users
FROM (SELECT user_id, arg_min(first_bank_code, (first_attempt_at, first_event_id)) AS bank
      FROM user_bindings
      GROUP BY user_id)
GROUP BY bank
ORDER BY users DESC
