package events

import (
	"fmt"
	"strings"
)

// Reason names why a message was rejected. Every quarantined message carries one.
type Reason string

// The rejection reasons. Their string values are what the quarantine table stores.
const (
	ReasonNotJSON            Reason = "not_json"      // the bytes are not a JSON document
	ReasonNotObject          Reason = "not_object"    // valid JSON, but not an object
	ReasonUnknownType        Reason = "unknown_type"  // type is missing from the known six
	ReasonMissingField       Reason = "missing_field" // a required field is absent or empty
	ReasonWrongType          Reason = "wrong_type"    // a field has the wrong JSON type
	ReasonBadTimestamp       Reason = "bad_timestamp" // ts is not RFC 3339 with an offset
	ReasonTimestampRange     Reason = "timestamp_out_of_range"
	ReasonInvalidValue       Reason = "invalid_value"        // a value outside its enumeration
	ReasonNonPositiveAmount  Reason = "non_positive_amount"  // money or shares must be > 0
	ReasonClaimOverLimit     Reason = "claim_over_limit"     // a claim above 200 yuan
	ReasonClaimsExceedShares Reason = "claims_exceed_shares" // more claims than the envelope has shares
	ReasonClaimOverTotal     Reason = "claims_exceed_total"  // claims add up to more than the envelope total
	ReasonInvalidUTF8        Reason = "invalid_utf8"         // a string field is not valid UTF-8
	ReasonDuplicateEventID   Reason = "duplicate_event_id"   // the event_id already landed (the detail names where)
	ReasonDuplicateEnvelope  Reason = "duplicate_envelope"   // an envelope_id sent a second time under another event_id
	ReasonUnknownEnvelope    Reason = "unknown_envelope"     // a claim on an envelope the ingester has not seen
	ReasonTooLarge           Reason = "too_large"            // the message is larger than any event can be
	ReasonWrongKey           Reason = "wrong_key"            // an envelope event not keyed by its envelope_id
)

// Reasons lists every reason, for documentation and tests.
var Reasons = []Reason{
	ReasonNotJSON, ReasonNotObject, ReasonUnknownType, ReasonMissingField, ReasonWrongType,
	ReasonBadTimestamp, ReasonTimestampRange, ReasonInvalidValue, ReasonNonPositiveAmount,
	ReasonClaimOverLimit, ReasonClaimsExceedShares, ReasonClaimOverTotal,
	ReasonInvalidUTF8, ReasonDuplicateEventID, ReasonDuplicateEnvelope, ReasonUnknownEnvelope, ReasonTooLarge,
	ReasonWrongKey,
}

// RejectError is returned by Decode and Validate for a message that must go to
// quarantine. Reason is the machine-readable cause, Detail the sentence for a person.
type RejectError struct {
	Reason Reason
	Detail string
}

func (e *RejectError) Error() string { return fmt.Sprintf("%s: %s", e.Reason, e.Detail) }

// reject words a rejection. The detail may quote the message (a parser's error does),
// so bytes that are not UTF-8 are replaced: it is text for a person, stored as text.
func reject(r Reason, format string, args ...any) *RejectError {
	return &RejectError{Reason: r, Detail: strings.ToValidUTF8(fmt.Sprintf(format, args...), "\uFFFD")}
}
