package ingest_test

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/testenv"
	"github.com/hongbao/hongbao/internal/testtopic"
)

// TestKcatProducedMessagesLandOnce produces with another Kafka client, valid and
// invalid messages alike, and ingests twice: each lands once, in its table or in
// quarantine.
func TestKcatProducedMessagesLandOnce(t *testing.T) {
	kcat := testenv.Tool(t, "kcat", "kcat")
	dir := t.TempDir()
	b := testtopic.Broker(t, filepath.Join(dir, "broker"))

	valid := []string{
		`env-k1	{"event_id":"k-1","type":"envelope_sent","ts":"2014-01-30T23:59:58+08:00","envelope_id":"env-k1","sender_id":"u9","chat_id":"g9","kind":"lucky","total_fen":1070,"shares":3}`,
		`env-k1	{"event_id":"k-2","type":"envelope_grabbed","ts":"2014-01-31T00:00:01+08:00","envelope_id":"env-k1","user_id":"u1","outcome":"claimed","amount_fen":500,"extra":"ignored"}`,
		`env-k1	{"event_id":"k-3","type":"envelope_grabbed","ts":"2014-01-31T00:00:02+08:00","envelope_id":"env-k1","user_id":"u2","outcome":"missed"}`,
		`u1	{"event_id":"k-4","type":"card_bound","ts":"2014-01-31T00:10:00Z","user_id":"u1","provider":"wechat_pay","bank_code":"ICBC","outcome":"ok"}`,
		`u1	{"event_id":"k-5","type":"withdrawal","ts":"2014-01-31T01:00:00+08:00","user_id":"u1","provider":"wechat_pay","bank_code":"ICBC","amount_fen":500}`,
		`u3	{"event_id":"k-6","type":"payment","ts":"2014-01-31T02:00:00+08:00","user_id":"u3","provider":"alipay","scenario":"taxi","amount_fen":2300,"bank_code":"CMB"}`,
		`u4	{"event_id":"k-7","type":"link_shared","ts":"2014-01-31T03:00:00+08:00","user_id":"u4","chat_id":"g9","url":"http://hongbao.example.invalid/x"}`,
	}
	invalid := []string{
		`bad1	hello kafka`,
		`bad2	{"event_id":"k-8","type":"payment","ts":"2014-01-31T02:00:00+08:00","user_id":"u3","provider":"paypal","scenario":"taxi","amount_fen":2300,"bank_code":"CMB"}`,
		`bad3	{"event_id":"k-9","type":"withdrawal","ts":"2014-01-31T01:00:00+08:00","user_id":"u1","provider":"wechat_pay","bank_code":"ICBC","amount_fen":-5}`,
	}
	input := strings.Join(append(append([]string{}, valid...), invalid...), "\n") + "\n"
	cmd := exec.Command(kcat, "-P", "-b", b.Addr(), "-t", topic, "-K", "\t")
	cmd.Stdin = strings.NewReader(input)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
	total := int64(len(valid) + len(invalid))
	for run := 1; run <= 2; run++ {
		var sum int64
		if run == 1 {
			sum = ingestUntil(t, b.Addr(), dir, total, 0, 1000).Messages
		} else {
			sum = ingestUntil(t, b.Addr(), dir, 0, 1500*time.Millisecond, 1000).Messages
		}
		if want := map[int]int64{1: total, 2: 0}[run]; sum != want {
			t.Errorf("run %d read %d messages, want %d", run, sum, want)
		}
		db := openWarehouse(t, dir)
		counts := map[string]int64{}
		for _, table := range []string{"envelopes", "grabs", "card_bindings", "withdrawals", "payments", "links", "quarantine"} {
			var n int64
			if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
				t.Fatal(err)
			}
			counts[table] = n
		}
		want := map[string]int64{"envelopes": 1, "grabs": 2, "card_bindings": 1, "withdrawals": 1, "payments": 1, "links": 1, "quarantine": 3}
		for k, v := range want {
			if counts[k] != v {
				t.Errorf("run %d: %s has %d rows, want %d", run, k, counts[k], v)
			}
		}
		var reasons string
		if err := db.QueryRow("SELECT string_agg(reason, ',' ORDER BY reason) FROM quarantine").Scan(&reasons); err != nil {
			t.Fatal(err)
		}
		if reasons != "invalid_value,non_positive_amount,not_json" {
			t.Errorf("run %d: quarantine reasons %s", run, reasons)
		}
		var ts time.Time
		if err := db.QueryRow("SELECT ts FROM card_bindings").Scan(&ts); err != nil {
			t.Fatal(err)
		}
		if !ts.Equal(time.Date(2014, 1, 31, 0, 10, 0, 0, time.UTC)) {
			t.Errorf("card binding at %s, want 2014-01-31T00:10:00Z", ts)
		}
	}
}
