-- avg_envelope_yuan: the mean envelope total in yuan up to the end of Eve night
-- ({night_end}), from envelopes: the envelope, not the single claim (consistency note 3).
SELECT avg(total_fen) / 100 AS mean_envelope_yuan
FROM envelopes
WHERE ts < {night_end}
