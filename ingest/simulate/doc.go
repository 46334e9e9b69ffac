// Package simulate replays a red-envelope festival as events: it turns a calibration
// (the published figures plus labelled assumptions) into a deterministic stream of
// envelope, grab, card-binding, withdrawal, payment and link events in time order.
// It sits at the head of the flow, before the Kafka producer; the same seed and scale
// always give the same events, byte for byte.
package simulate
