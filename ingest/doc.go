// Package ingest is hongbao's ingester: a Kafka consumer-group member that decodes
// and validates each message, appends it to Arrow record batches per event type, and
// commits those batches to the Parquet lake together with the Kafka offsets they
// cover. Bad messages go to quarantine with their reason. Its sub-packages hold the
// pieces of the flow: events (wire format), simulate (the 2014 world), produce (the
// Kafka producer), broker (the embedded broker) and lake (the Parquet writer).
package ingest
