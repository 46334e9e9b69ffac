-- bank_table: each bank's names, the providers that bind its cards and its assumed share
-- of debit cards, from banks.
SELECT code, coalesce(name_zh, '') AS name_zh, coalesce(name_en, '') AS name_en,
       coalesce(wechat_pay, false) AS wechat_pay, coalesce(alipay, false) AS alipay,
       coalesce(CAST(debit_card_share AS DOUBLE), 0) AS share
FROM banks
