package events

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	json "github.com/goccy/go-json"
)

// Encode returns the wire form of e: one JSON object, fields in a fixed order, so the
// same event always encodes to the same bytes.
func Encode(e *Event) ([]byte, error) { return json.Marshal(e) }

// AppendEncoded appends the wire form of e (the bytes Encode returns) to dst, so that
// a producer can keep a whole chunk of messages in one buffer instead of one
// allocation per message. Plain events are written field by field (plain.go); any
// other goes through Encode. A producer encoding many events keeps an Encoder
// instead, which also remembers the last second it wrote.
func AppendEncoded(dst []byte, e *Event) ([]byte, error) {
	var c Encoder
	return c.Append(dst, e)
}

// absent marks an integer field that the message did not carry.
const absent = math.MinInt64

// wire is the flat shape every message is first decoded into. Integers start as
// absent so that a missing field can be told from a zero.
type wire struct {
	EventID    string `json:"event_id"`
	Type       string `json:"type"`
	TS         string `json:"ts"`
	EnvelopeID string `json:"envelope_id"`
	SenderID   string `json:"sender_id"`
	ChatID     string `json:"chat_id"`
	Kind       string `json:"kind"`
	TotalFen   int64  `json:"total_fen"`
	Shares     int64  `json:"shares"`
	UserID     string `json:"user_id"`
	Outcome    string `json:"outcome"`
	AmountFen  int64  `json:"amount_fen"`
	Provider   string `json:"provider"`
	BankCode   string `json:"bank_code"`
	Scenario   string `json:"scenario"`
	URL        string `json:"url"`
}

// emptyWire is a wire before decoding: no string, every integer absent.
var emptyWire = wire{TotalFen: absent, Shares: absent, AmountFen: absent}

// field names a type-specific field of wire; the fields each type requires are a
// short fixed list of them, so that validation needs no map and no string compare.
type field uint8

const (
	fEnvelopeID field = iota
	fSenderID
	fChatID
	fKind
	fTotalFen
	fShares
	fUserID
	fOutcome
	fAmountFen
	fProvider
	fBankCode
	fScenario
	fURL
)

var fieldNames = [...]string{fEnvelopeID: "envelope_id", fSenderID: "sender_id", fChatID: "chat_id",
	fKind: "kind", fTotalFen: "total_fen", fShares: "shares", fUserID: "user_id", fOutcome: "outcome",
	fAmountFen: "amount_fen", fProvider: "provider", fBankCode: "bank_code", fScenario: "scenario", fURL: "url"}

func (f field) String() string { return fieldNames[f] }

func (f field) isInt() bool { return f == fTotalFen || f == fShares || f == fAmountFen }

// Index returns t's place in Types, or -1 for a type not listed there: a counter per
// type can be an array indexed by it instead of a map, on a path taken per message.
func (t Type) Index() int {
	switch t {
	case EnvelopeSent:
		return 0
	case EnvelopeGrabbed:
		return 1
	case CardBound:
		return 2
	case Withdrawal:
		return 3
	case Payment:
		return 4
	case LinkShared:
		return 5
	}
	return -1
}

// fieldsOf lists the fields each type requires (by its place in Types), beyond
// event_id, type and ts. amount_fen of a grab is required only when the outcome is
// claimed.
var fieldsOf = [...][]field{
	{fEnvelopeID, fSenderID, fChatID, fKind, fTotalFen, fShares}, // envelope_sent
	{fEnvelopeID, fUserID, fOutcome, fAmountFen},                 // envelope_grabbed
	{fUserID, fProvider, fBankCode, fOutcome},                    // card_bound
	{fUserID, fProvider, fBankCode, fAmountFen},                  // withdrawal
	{fUserID, fProvider, fScenario, fAmountFen, fBankCode},       // payment
	{fUserID, fChatID, fURL},                                     // link_shared
}

// requiredFields returns fieldsOf for t, nothing for an unknown type.
func requiredFields(t Type) []field {
	if i := t.Index(); i >= 0 {
		return fieldsOf[i]
	}
	return nil
}

// MaxMessageBytes is the largest message Decode reads. An event encodes to well under
// 1 KB (its longest field is a URL), so anything larger is not an event; refusing it
// before parsing keeps a hostile 16 MiB message from costing more than a length check.
const MaxMessageBytes = 64 << 10

// Decode parses one message into an Event and validates it field by field (size,
// types, required fields, valid UTF-8, enumerations, amounts, timestamp range). It
// does not check rules that need other messages (see Tracker and Seen). A rejected
// message returns a *RejectError.
func Decode(raw []byte, v *Validator) (Event, error) { return decode(raw, v, false) }

// DecodeOwned is Decode for a message the caller hands over: the event's strings may
// share raw's bytes instead of copying them, so raw must never change afterwards.
// kafka-go allocates each message it reads afresh, which makes its messages safe to
// hand over; a buffer that is reused is not.
func DecodeOwned(raw []byte, v *Validator) (Event, error) { return decode(raw, v, true) }

func decode(raw []byte, v *Validator, owned bool) (Event, error) {
	if len(raw) > MaxMessageBytes {
		return Event{}, reject(ReasonTooLarge, "the message is %d bytes; an event is never larger than %d bytes", len(raw), MaxMessageBytes)
	}
	// The validator's own wire, so that decoding allocates no wire per message.
	w := &v.w
	*w = emptyWire
	if plainWire(raw, w, owned) {
		return v.build(w) // plain ASCII: no UTF-8 to check
	}
	*w = emptyWire
	if err := json.Unmarshal(raw, w); err != nil {
		// Not JSON, or JSON of an unexpected shape: a field with an unexpected type
		// (only an error if the event's type uses the field), a fraction where an
		// integer belongs. The exact path decodes field by field and says which.
		var rerr *RejectError
		if *w, rerr = slowDecode(raw, err); rerr != nil {
			return Event{}, rerr
		}
	}
	if rerr := checkUTF8(w, raw); rerr != nil {
		return Event{}, rerr
	}
	return v.build(w)
}

// slowDecode is Decode's path for a message the fast decoder refused (err): it says
// why, or decodes it field by field. goccy's Valid and stream decoder panic on some
// messages (a long run of invalid UTF-8 across their 1,024-byte read buffer, found by
// FuzzDecode); such a message is rejected, never allowed to stop the ingester.
func slowDecode(raw []byte, err error) (w wire, rerr *RejectError) {
	defer func() {
		if p := recover(); p != nil {
			if !utf8.Valid(raw) {
				rerr = reject(ReasonInvalidUTF8, "the message is not valid UTF-8")
			} else {
				rerr = reject(ReasonNotJSON, "the message could not be decoded as JSON (%v)", p)
			}
		}
	}()
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || trimmed[0] != '{' || !json.Valid(trimmed) {
		return w, syntaxReject(raw, err)
	}
	return decodeExact(raw)
}

func syntaxReject(raw []byte, err error) *RejectError {
	trimmed := bytes.TrimSpace(raw)
	if json.Valid(trimmed) {
		return reject(ReasonNotObject, "the message is JSON but not an object (starts with %q)", firstByte(trimmed))
	}
	return reject(ReasonNotJSON, "the message is not valid JSON: %v", err)
}

func firstByte(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return string(b[:1])
}

// decodeExact is the slow path: decode into a generic object and copy only the
// fields the event's type uses, checking each one's JSON type.
func decodeExact(raw []byte) (wire, *RejectError) {
	w := emptyWire
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return w, syntaxReject(raw, err)
	}
	str := func(name string, dst *string) *RejectError {
		v, ok := obj[name]
		if !ok || v == nil {
			return nil
		}
		s, ok := v.(string)
		if !ok {
			return reject(ReasonWrongType, "field %s must be a string, got %s", name, jsonKind(v))
		}
		*dst = s
		return nil
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"event_id", &w.EventID}, {"type", &w.Type}, {"ts", &w.TS}} {
		if err := str(f.name, f.dst); err != nil {
			return w, err
		}
	}
	for _, f := range requiredFields(Type(w.Type)) {
		name := f.String()
		v, ok := obj[name]
		if !ok || v == nil {
			continue
		}
		if f.isInt() {
			n, isNum := v.(json.Number)
			if !isNum {
				return w, reject(ReasonWrongType, "field %s must be an integer, got %s", name, jsonKind(v))
			}
			i, err := strconv.ParseInt(string(n), 10, 64)
			if err != nil {
				return w, reject(ReasonWrongType, "field %s must be an integer, got %s", name, n)
			}
			*w.intField(f) = i
			continue
		}
		if err := str(name, w.stringField(f)); err != nil {
			return w, err
		}
	}
	return w, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func (w *wire) intField(f field) *int64 {
	switch f {
	case fTotalFen:
		return &w.TotalFen
	case fShares:
		return &w.Shares
	}
	return &w.AmountFen
}

func (w *wire) stringField(f field) *string {
	switch f {
	case fEnvelopeID:
		return &w.EnvelopeID
	case fSenderID:
		return &w.SenderID
	case fChatID:
		return &w.ChatID
	case fKind:
		return &w.Kind
	case fUserID:
		return &w.UserID
	case fOutcome:
		return &w.Outcome
	case fProvider:
		return &w.Provider
	case fBankCode:
		return &w.BankCode
	case fScenario:
		return &w.Scenario
	case fURL:
		return &w.URL
	}
	panic("events: no string field " + f.String())
}

// Validator holds the settings of per-message validation. A Validator is used by one
// goroutine at a time.
type Validator struct {
	// Earliest is the first instant an event may carry.
	Earliest time.Time
	// Latest is the last instant an event may carry; zero means now plus a day.
	Latest time.Time

	now     time.Time  // cached clock for a zero Latest, read again only when needed
	w       wire       // the message being decoded
	seconds secondText // the last timestamp's second and zone
}

// DefaultValidator accepts timestamps from 2009 (before mobile red envelopes
// existed) up to a day past the current time.
func DefaultValidator() *Validator {
	return &Validator{Earliest: time.Date(2009, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (v *Validator) build(w *wire) (Event, error) {
	if w.Type == "" {
		return Event{}, reject(ReasonMissingField, "field type is missing")
	}
	t := Type(w.Type)
	ti := t.Index()
	if ti < 0 {
		return Event{}, reject(ReasonUnknownType, "type %q is not one of envelope_sent, envelope_grabbed, card_bound, withdrawal, payment, link_shared", w.Type)
	}
	if w.EventID == "" {
		return Event{}, reject(ReasonMissingField, "field event_id is missing or empty")
	}
	if w.TS == "" {
		return Event{}, reject(ReasonMissingField, "field ts is missing or empty")
	}
	ts, err := v.seconds.parseTime(upperTZ(w.TS))
	if err != nil {
		return Event{}, reject(ReasonBadTimestamp, "field ts %q is not an RFC 3339 time with an offset", w.TS)
	}
	latest := v.Latest
	if latest.IsZero() {
		latest = v.now.Add(24 * time.Hour)
		if ts.After(latest) {
			// The cached clock may be stale in a long run: read it again, only here.
			v.now = time.Now()
			latest = v.now.Add(24 * time.Hour)
		}
	}
	if ts.Before(v.Earliest) || ts.After(latest) {
		return Event{}, reject(ReasonTimestampRange, "ts %s is outside %s .. %s", w.TS, v.Earliest.Format(time.RFC3339), latest.Format(time.RFC3339))
	}
	for _, f := range fieldsOf[ti] {
		if f.isInt() {
			if *w.intField(f) == absent && !(t == EnvelopeGrabbed && w.Outcome == OutcomeMissed) {
				return Event{}, reject(ReasonMissingField, "field %s is missing (required for %s)", f, t)
			}
			continue
		}
		if *w.stringField(f) == "" {
			return Event{}, reject(ReasonMissingField, "field %s is missing or empty (required for %s)", f, t)
		}
	}
	e := Event{EventID: w.EventID, Type: t, TS: ts,
		EnvelopeID: w.EnvelopeID, SenderID: w.SenderID, ChatID: w.ChatID, Kind: w.Kind,
		UserID: w.UserID, Outcome: w.Outcome, Provider: w.Provider, BankCode: w.BankCode,
		Scenario: w.Scenario, URL: w.URL}
	if w.TotalFen != absent {
		e.TotalFen = w.TotalFen
	}
	if w.AmountFen != absent {
		e.AmountFen = w.AmountFen
	}
	if rerr := checkValues(t, &e, w.Shares); rerr != nil {
		return Event{}, rerr
	}
	return e, nil
}

func checkValues(t Type, e *Event, shares int64) *RejectError {
	switch t {
	case EnvelopeSent:
		if e.Kind != KindLucky && e.Kind != KindFixed {
			return reject(ReasonInvalidValue, "kind %q must be lucky or fixed", e.Kind)
		}
		if e.TotalFen <= 0 {
			return reject(ReasonNonPositiveAmount, "total_fen %d must be positive", e.TotalFen)
		}
		if shares <= 0 {
			return reject(ReasonNonPositiveAmount, "shares %d must be positive", shares)
		}
		if shares > MaxShares {
			return reject(ReasonInvalidValue, "shares %d is more than %d", shares, MaxShares)
		}
		if e.TotalFen < shares {
			return reject(ReasonInvalidValue, "total_fen %d cannot give each of %d shares at least 1 fen", e.TotalFen, shares)
		}
		if e.TotalFen > shares*MaxClaimFen {
			return reject(ReasonClaimOverLimit, "total_fen %d gives more than 200 yuan a share over %d shares", e.TotalFen, shares)
		}
		e.Shares = int32(shares)
	case EnvelopeGrabbed:
		switch e.Outcome {
		case OutcomeClaimed:
			if e.AmountFen <= 0 {
				return reject(ReasonNonPositiveAmount, "amount_fen %d of a claim must be positive", e.AmountFen)
			}
			if e.AmountFen > MaxClaimFen {
				return reject(ReasonClaimOverLimit, "amount_fen %d is above the 200-yuan limit of one claim", e.AmountFen)
			}
		case OutcomeMissed:
			if e.AmountFen != 0 {
				return reject(ReasonInvalidValue, "a missed grab carries amount_fen %d; it must carry none", e.AmountFen)
			}
		default:
			return reject(ReasonInvalidValue, "outcome %q must be claimed or missed", e.Outcome)
		}
	case CardBound:
		if rerr := checkProvider(e.Provider); rerr != nil {
			return rerr
		}
		if e.Outcome != BindOK && e.Outcome != BindBankNotSupported {
			return reject(ReasonInvalidValue, "outcome %q must be ok or bank_not_supported", e.Outcome)
		}
	case Withdrawal, Payment:
		if rerr := checkProvider(e.Provider); rerr != nil {
			return rerr
		}
		if e.AmountFen <= 0 {
			return reject(ReasonNonPositiveAmount, "amount_fen %d must be positive", e.AmountFen)
		}
		if e.AmountFen > MaxAmountFen {
			return reject(ReasonInvalidValue, "amount_fen %d is above the 1,000,000 yuan (%d fen) one %s may move", e.AmountFen, MaxAmountFen, t)
		}
	}
	return nil
}

func checkProvider(p string) *RejectError {
	if p != ProviderWeChatPay && p != ProviderAlipay {
		return reject(ReasonInvalidValue, "provider %q must be wechat_pay or alipay", p)
	}
	return nil
}
