// Package kafkasec holds how hongbao's Kafka clients protect their connections: one
// Config (TLS, a client certificate, a SASL mechanism, user and password) turned into
// the settings of every client hongbao runs (kafka-go's Dialer and Transport for the
// producer, the consumer group and the partition readers; franz-go options for the
// admin client), a probe that checks the brokers accept them before anything else
// runs, and the sentences that explain a refused password or a TLS mismatch. The
// password is a Secret, which prints as "[redacted]" wherever it ends up.
package kafkasec
