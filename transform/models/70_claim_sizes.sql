-- claim_sizes: how many claims took each amount, from grabs: one row per amount_fen a
-- claimed grab took, with the number of such claims, in order of amount. Claims are
-- whole fen between 1 and 20,000, so the festival's 75 million claims come down to some
-- 14,000 rows, and an exact median or any quantile of a single claim is read from them
-- (claim_stats) without sorting every claim: a median over grabs holds all 75 million
-- amounts in memory at once.
--
-- Columns:
-- - amount_fen: An amount a claimed grab took, in fen.
-- - claims: Claimed grabs of exactly that amount.
SELECT
    amount_fen,
    count(*) AS claims
FROM grabs
WHERE outcome = 'claimed'
GROUP BY amount_fen
ORDER BY amount_fen
