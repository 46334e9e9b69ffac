-- claim_size_range: the median single claim in yuan, and whether the smallest is a few fen
-- and the median a few yuan, from claim_sizes. The median is exact, as DuckDB's median of
-- the claims would give it: the claim in the middle, or the mean of the two in the middle
-- when the count is even, found where the running count of claims reaches them.
WITH running AS (
    SELECT amount_fen,
           sum(claims) OVER (ORDER BY amount_fen) AS upto,
           sum(claims) OVER ()                    AS total
    FROM claim_sizes
), median AS (
    SELECT (min(amount_fen) FILTER (WHERE upto >= (total + 1) // 2)
          + min(amount_fen) FILTER (WHERE upto >= total // 2 + 1)) / 2 AS fen,
           min(amount_fen) AS smallest_fen
    FROM running
)
SELECT fen / 100 AS median_claim_yuan,
       smallest_fen <= 10 AND fen BETWEEN 100 AND 1000 AS few_fen_to_few_yuan
FROM median
