// Package produce writes events to Kafka with segmentio/kafka-go: keyed so that one
// envelope's events stay in order on one partition, batched, acknowledged by all
// in-sync replicas, and retried with backoff. It sits between the simulator (or any
// other event source) and the topic the ingester consumes.
package produce
