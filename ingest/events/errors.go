package events

import "fmt"

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
)

// Reasons lists every reason, for documentation and tests.
var Reasons = []Reason{
	ReasonNotJSON, ReasonNotObject, ReasonUnknownType, ReasonMissingField, ReasonWrongType,
	ReasonBadTimestamp, ReasonTimestampRange, ReasonInvalidValue, ReasonNonPositiveAmount,
	ReasonClaimOverLimit, ReasonClaimsExceedShares, ReasonClaimOverTotal,
}

// RejectError is returned by Decode and Validate for a message that must go to
// quarantine. Reason is the machine-readable cause, Detail the sentence for a person.
type RejectError struct {
	Reason Reason
	Detail string
}

func (e *RejectError) Error() string { return fmt.Sprintf("%s: %s", e.Reason, e.Detail) }

func reject(r Reason, format string, args ...any) *RejectError {
	return &RejectError{Reason: r, Detail: fmt.Sprintf(format, args...)}
}
