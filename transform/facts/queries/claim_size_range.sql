-- claim_size_range: the median single claim in yuan, and whether the smallest is a few fen
-- and the median a few yuan, from claim_stats (whose median is exact); NULL without
-- claims.
SELECT (SELECT median_fen FROM claim_stats) / 100 AS median_claim_yuan,
       (SELECT smallest_fen <= 10 AND median_fen BETWEEN 100 AND 1000 FROM claim_stats) AS few_fen_to_few_yuan
