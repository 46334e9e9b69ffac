-- refused_by_bank: the eight banks with the most WeChat Pay bindings refused as
-- bank_not_supported, with the users refused, from bank_bindings.
SELECT bank_code, refused, refused_users
FROM bank_bindings
WHERE provider = 'wechat_pay' AND refused > 0
ORDER BY refused DESC, bank_code
LIMIT 8
