-- table_rows: the rows of each event table and of quarantine, and the money each event
-- table holds in fen, from envelopes, grabs, card_bindings, withdrawals, payments, links
-- and quarantine. The method page prints the rows; the demo's summary both.
SELECT 'envelopes' AS table_name, count(*) AS row_count, coalesce(sum(total_fen), 0)::BIGINT AS fen FROM envelopes
UNION ALL SELECT 'grabs', count(*), coalesce(sum(amount_fen), 0)::BIGINT FROM grabs
UNION ALL SELECT 'card_bindings', count(*), 0 FROM card_bindings
UNION ALL SELECT 'withdrawals', count(*), coalesce(sum(amount_fen), 0)::BIGINT FROM withdrawals
UNION ALL SELECT 'payments', count(*), coalesce(sum(amount_fen), 0)::BIGINT FROM payments
UNION ALL SELECT 'links', count(*), 0 FROM links
UNION ALL SELECT 'quarantine', count(*), 0 FROM quarantine
