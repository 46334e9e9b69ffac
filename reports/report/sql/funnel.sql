-- funnel: the WeChat Pay funnel of the users who claimed an envelope, from user_funnel:
-- claimed, then of those tried to bind a card, then bound one, then withdrew, each
-- stage a subset of the one before.
SELECT count(*) FILTER (WHERE first_claim_at IS NOT NULL) AS claimed,
       count(*) FILTER (WHERE first_claim_at IS NOT NULL AND first_bind_attempt_at IS NOT NULL) AS bind_attempt,
       count(*) FILTER (WHERE first_claim_at IS NOT NULL AND first_bind_attempt_at IS NOT NULL
                          AND first_bound_at IS NOT NULL) AS bound,
       count(*) FILTER (WHERE first_claim_at IS NOT NULL AND first_bind_attempt_at IS NOT NULL
                          AND first_bound_at IS NOT NULL AND first_withdrawal_at IS NOT NULL) AS withdrew
FROM user_funnel
