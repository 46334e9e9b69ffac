package produce

import (
	"context"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
)

// TestAckedStats produces in several chunks and counts only what the broker
// acknowledged, per type and in fen.
func TestAckedStats(t *testing.T) {
	b, err := broker.Start(broker.Config{Listen: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	p := New(Config{Brokers: []string{b.Addr()}, Topic: broker.DefaultTopic, Chunk: 7})
	ts := time.Date(2014, 1, 31, 0, 0, 0, 0, time.UTC)
	for i := range 20 {
		e := events.Event{EventID: "e" + string(rune('a'+i)), Type: events.Withdrawal, TS: ts, UserID: "u1",
			Provider: events.ProviderWeChatPay, BankCode: "ICBC", AmountFen: int64(100 + i)}
		if err := p.Add(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
	st := p.Acked()
	if st.Messages != 20 || st.Count[events.Withdrawal] != 20 || st.SumFen[events.Withdrawal] != 20*100+190 {
		t.Errorf("acked %+v, want 20 withdrawals summing 2190 fen", st)
	}
}
