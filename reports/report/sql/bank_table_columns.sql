-- bank_table_columns: how many of the columns the report reads the warehouse's banks
-- table has, from information_schema.columns; 6 means it can be read.
SELECT count(*) AS columns
FROM information_schema.columns
WHERE table_name = 'banks'
  AND column_name IN ('code', 'name_zh', 'name_en', 'wechat_pay', 'alipay', 'debit_card_share')
