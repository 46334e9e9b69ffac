-- claim_stats: the single claims in one row, from claim_sizes: how many there are, the
-- smallest, the median and the largest, in fen; no row when there are no claims. The median is exact, as DuckDB's median
-- of the claims would give it: the claim in the middle, or the mean of the two in the
-- middle when the count is even, found where the running count of claims reaches them.
-- The facts sheet's claim_size_range and consistency check 3 read it.
--
-- Columns:
-- - claims: Claimed grabs.
-- - smallest_fen: The smallest claim, in fen.
-- - median_fen: The median claim, in fen, exact: the mean of the two middle claims when
--   their count is even.
-- - largest_fen: The largest claim, in fen.
WITH running AS (
    SELECT amount_fen,
           sum(claims) OVER (ORDER BY amount_fen) AS upto,
           sum(claims) OVER ()                    AS total
    FROM claim_sizes
)
SELECT
    CAST(max(total) AS BIGINT)                                      AS claims,
    min(amount_fen)                                                 AS smallest_fen,
    (min(amount_fen) FILTER (WHERE upto >= (total + 1) // 2)
   + min(amount_fen) FILTER (WHERE upto >= total // 2 + 1)) / 2     AS median_fen,
    max(amount_fen)                                                 AS largest_fen
FROM running
HAVING count(*) > 0
