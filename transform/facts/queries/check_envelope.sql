-- check_envelope: consistency note 3, envelope totals against single claims, from
-- envelopes and grabs: the mean envelope up to {night_end} in yuan, the mean shares, and
-- the median, smallest and largest claim.
SELECT (SELECT avg(total_fen) / 100 FROM envelopes WHERE ts < {night_end}) AS mean_envelope_yuan,
       (SELECT avg(shares) FROM envelopes) AS mean_shares,
       median(amount_fen) / 100 AS median_claim_yuan,
       min(amount_fen) AS min_claim_fen,
       max(amount_fen) / 100 AS max_claim_yuan
FROM grabs
WHERE outcome = 'claimed'
