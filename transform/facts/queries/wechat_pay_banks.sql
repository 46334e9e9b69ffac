-- wechat_pay_banks: the banks with a card bound to WeChat Pay, from bank_bindings.
SELECT count(DISTINCT bank_code) AS banks
FROM bank_bindings
WHERE provider = 'wechat_pay' AND bound > 0
