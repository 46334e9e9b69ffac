-- wechat_pay_scenarios: the payment scenarios seen for WeChat Pay, from payments.
SELECT count(DISTINCT scenario) AS scenarios
FROM payments
WHERE provider = 'wechat_pay'
