package ingest

import "errors"

// ErrNotDrained is returned when an ingester that was asked to drain the topic
// (--until-idle) stops before every partition is in the lake up to the high
// watermark; the error's text names the partitions and why.
var ErrNotDrained = errors.New("ingest stopped before the topic was drained")

// ErrTopicChanged is returned when the brokers' topic is not the one the lake holds
// offsets of: it was deleted and created again, or the broker lost its data.
var ErrTopicChanged = errors.New("the topic is not the one the lake was ingesting")

// ErrNoTopic is returned when the brokers do not have the topic.
var ErrNoTopic = errors.New("no such topic")
