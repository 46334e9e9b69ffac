-- check_envelope: consistency note 3, envelope totals against single claims, from
-- envelopes and claim_stats: the mean envelope up to {night_end} in yuan, the mean
-- shares, and the median, smallest and largest claim.
SELECT (SELECT avg(total_fen) / 100 FROM envelopes WHERE ts < {night_end}) AS mean_envelope_yuan,
       (SELECT avg(shares) FROM envelopes) AS mean_shares,
       (SELECT median_fen / 100 FROM claim_stats) AS median_claim_yuan,
       (SELECT smallest_fen FROM claim_stats) AS min_claim_fen,
       (SELECT largest_fen / 100 FROM claim_stats) AS max_claim_yuan
