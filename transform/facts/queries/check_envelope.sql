-- check_envelope: consistency note 3, envelope totals against single claims, from
-- envelopes and claim_sizes: the mean envelope up to {night_end} in yuan, the mean
-- shares, and the median, smallest and largest claim (the median exact, as in
-- claim_size_range).
WITH running AS (
    SELECT amount_fen,
           sum(claims) OVER (ORDER BY amount_fen) AS upto,
           sum(claims) OVER ()                    AS total
    FROM claim_sizes
)
SELECT (SELECT avg(total_fen) / 100 FROM envelopes WHERE ts < {night_end}) AS mean_envelope_yuan,
       (SELECT avg(shares) FROM envelopes) AS mean_shares,
       (min(amount_fen) FILTER (WHERE upto >= (total + 1) // 2)
      + min(amount_fen) FILTER (WHERE upto >= total // 2 + 1)) / 2 / 100 AS median_claim_yuan,
       min(amount_fen) AS min_claim_fen,
       max(amount_fen) / 100 AS max_claim_yuan
FROM running
