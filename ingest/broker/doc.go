// Package broker runs hongbao's embedded Kafka broker: franz-go's kfake speaking the
// real Kafka wire protocol, persisted to a data folder so topics and messages survive
// a restart. It stands in for a Kafka cluster on one machine; every other part of
// hongbao talks to it over the network exactly as it would to a real cluster.
package broker
