-- first_five: the attempts and claims of the five minutes from the midnight {peak_local},
-- from midnight_window.
SELECT coalesce(sum(attempts), 0) AS attempts, coalesce(sum(claims), 0) AS claims
FROM midnight_window
WHERE midnight = {peak_local} AND from_midnight BETWEEN 0 AND 4
