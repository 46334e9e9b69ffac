// Package events defines hongbao's wire format v1: the six event types that travel
// through Kafka as one JSON object per message, their codec, and the validation that
// decides whether a message lands in the lake or in quarantine. It sits at the very
// start of the flow: the simulator encodes with it and the ingester decodes with it.
//
// Rules, each with the reason a rejected message is quarantined under:
//
//   - Decode, one message alone: at most MaxMessageBytes (too_large, checked before
//     parsing); a JSON object (not_json, not_object); a known type
//     (unknown_type); every field the type needs, of the right JSON type
//     (missing_field, wrong_type); every string the event uses valid UTF-8, with no
//     escaped lone surrogate (invalid_utf8, naming the field); ts in RFC 3339 with
//     an offset, t and z in either case (bad_timestamp), within the Validator's
//     range (timestamp_out_of_range); values within their enumerations and limits
//     (invalid_value, non_positive_amount, claim_over_limit).
//   - Tracker, the messages of one partition: a grab names an envelope the tracker
//     holds (unknown_envelope); claims never exceed their envelope's shares or
//     total (claims_exceed_shares, claims_exceed_total); an envelope is sent once
//     (duplicate_envelope, naming the first send's offset). Its clock, the median
//     of the last 15 sends, cannot be pushed forward by a few future-dated events.
//   - Seen, the messages of all partitions one ingester reads: an event_id lands
//     once (duplicate_event_id, naming where it first landed; DuplicateEventID
//     makes the rejection).
//
// Bounds, in bytes: a Tracker holds at most Max envelopes (DefaultMaxEnvelopes,
// 2,000,000) at 32 bytes of record and at most 16 of index each, 80.8 MB per
// partition at the default, sized for the full 2014 festival (1.44 M envelopes per
// partition in the busiest 24 hours); a Seen holds at most its window of ids
// (DefaultSeenIDs, 4,194,304) at 32 bytes each, 134 MB. Neither keeps any part of
// a decoded message alive.
package events
