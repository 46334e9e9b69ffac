// Package events defines hongbao's wire format v1: the six event types that travel
// through Kafka as one JSON object per message, their codec, and the validation that
// decides whether a message lands in the lake or in quarantine. It sits at the very
// start of the flow: the simulator encodes with it and the ingester decodes with it.
package events
