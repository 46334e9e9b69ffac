// Package refdata is the reference data of the warehouse stage: the facts registry (every
// statistic the 2014 source article reports, with its Chinese quote, source, window and the
// reading hongbao takes of it, plus the three consistency notes), the table of about 180
// banks with which provider can bind each one's cards and an assumed share of debit cards,
// the payment scenarios of WeChat Pay and Alipay, and the mobile-payment market figures.
// Everything is embedded, so the project runs without any outside file; Load writes it into
// the warehouse as the tables banks, payment_scenarios, mobile_payment_market,
// facts_reported and facts_notes, inside the transaction that refreshes the warehouse, and
// facts, reports and notebooks read it from there or through Facts, Banks and Scenarios.
package refdata
