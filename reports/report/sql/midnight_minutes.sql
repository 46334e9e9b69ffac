-- midnight_minutes: the claims and attempts of each minute from an hour before the
-- midnight {peak_local} to an hour after, from midnight_window.
SELECT minute, claims, attempts
FROM midnight_window
WHERE midnight = {peak_local}
ORDER BY minute
