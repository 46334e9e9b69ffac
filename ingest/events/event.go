package events

import "time"

// Type names one of the six event types of wire format v1.
type Type string

// The event types of wire format v1.
const (
	EnvelopeSent    Type = "envelope_sent"
	EnvelopeGrabbed Type = "envelope_grabbed"
	CardBound       Type = "card_bound"
	Withdrawal      Type = "withdrawal"
	Payment         Type = "payment"
	LinkShared      Type = "link_shared"
)

// Types lists every event type in a fixed order (the order of the design's table).
var Types = []Type{EnvelopeSent, EnvelopeGrabbed, CardBound, Withdrawal, Payment, LinkShared}

// Table is the lake folder and warehouse table that holds events of type t.
func (t Type) Table() string {
	switch t {
	case EnvelopeSent:
		return "envelopes"
	case EnvelopeGrabbed:
		return "grabs"
	case CardBound:
		return "card_bindings"
	case Withdrawal:
		return "withdrawals"
	case Payment:
		return "payments"
	case LinkShared:
		return "links"
	}
	return ""
}

// Valid reports whether t is one of the known types.
func (t Type) Valid() bool { return t.Table() != "" }

// Enumerated field values.
const (
	KindLucky = "lucky" // random split (拼手氣)
	KindFixed = "fixed" // equal shares

	OutcomeClaimed = "claimed"
	OutcomeMissed  = "missed" // the envelope was already empty (手慢了)

	ProviderWeChatPay = "wechat_pay"
	ProviderAlipay    = "alipay"

	BindOK               = "ok"
	BindBankNotSupported = "bank_not_supported"
)

// Limits used by validation.
const (
	// MaxClaimFen is the largest single claim WeChat allowed: 200 yuan.
	MaxClaimFen = 200_00
	// MaxShares bounds an envelope's share count (WeChat allowed up to 100).
	MaxShares = 100
	// MaxAmountFen bounds one payment or withdrawal: 1,000,000 yuan, an assumed bound
	// far above any mobile payment of 2014 and above every amount the simulator draws.
	// The lake and the warehouse sum money as int64 fen; unbounded, two payments of
	// 2^63-1 fen overflowed a commit's sum and stopped every refresh after it.
	MaxAmountFen = 1_000_000_00
)

// Event is one decoded message. Common fields are always set on a valid event;
// the type-specific fields are set according to Type (see the design's table) and
// are zero otherwise. Money is integer fen.
type Event struct {
	EventID string    `json:"event_id"`
	Type    Type      `json:"type"`
	TS      time.Time `json:"ts"`

	EnvelopeID string `json:"envelope_id,omitempty"`
	SenderID   string `json:"sender_id,omitempty"`
	ChatID     string `json:"chat_id,omitempty"`
	Kind       string `json:"kind,omitempty"`
	TotalFen   int64  `json:"total_fen,omitempty"`
	Shares     int32  `json:"shares,omitempty"`

	UserID    string `json:"user_id,omitempty"`
	Outcome   string `json:"outcome,omitempty"`
	AmountFen int64  `json:"amount_fen,omitempty"`

	Provider string `json:"provider,omitempty"`
	BankCode string `json:"bank_code,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	URL      string `json:"url,omitempty"`
}

// Key is the Kafka message key for e: the envelope id for envelope events, so that
// one envelope's events stay in order on one partition, and the user id otherwise.
func (e *Event) Key() string {
	if e.EnvelopeID != "" {
		return e.EnvelopeID
	}
	return e.UserID
}
