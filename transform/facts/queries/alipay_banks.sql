-- alipay_banks: the banks seen behind Alipay bindings or payments, from bank_bindings and
-- payments.
SELECT count(DISTINCT bank_code) AS banks
FROM (SELECT bank_code FROM bank_bindings WHERE provider = 'alipay' AND bound > 0
      UNION
      SELECT bank_code FROM payments WHERE provider = 'alipay')
