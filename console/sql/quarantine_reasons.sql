-- quarantine_reasons: the messages the ingester refused, counted by reason, most first,
-- from quarantine.
SELECT reason, count(*) AS messages
FROM quarantine
GROUP BY reason
ORDER BY messages DESC, reason
