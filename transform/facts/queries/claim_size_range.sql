-- claim_size_range: the median single claim in yuan, and whether the smallest is a few fen
-- and the median a few yuan, from grabs.
SELECT median(amount_fen) / 100 AS median_claim_yuan,
       min(amount_fen) <= 10 AND median(amount_fen) BETWEEN 100 AND 1000 AS few_fen_to_few_yuan
FROM grabs
WHERE outcome = 'claimed'
