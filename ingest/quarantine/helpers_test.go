package quarantine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
)

const topic = "hongbao.events"

func at(s int) time.Time { return time.Date(2014, 1, 30, 16, 0, s, 0, time.UTC) }

func envelope(id, env string, ts int, shares int32, total int64) events.Event {
	return events.Event{EventID: id, Type: events.EnvelopeSent, TS: at(ts), EnvelopeID: env,
		SenderID: "u0", ChatID: "c1", Kind: events.KindLucky, TotalFen: total, Shares: shares}
}

func claim(id, env string, ts int, amount int64) events.Event {
	return events.Event{EventID: id, Type: events.EnvelopeGrabbed, TS: at(ts), EnvelopeID: env,
		UserID: "u-" + id, Outcome: events.OutcomeClaimed, AmountFen: amount}
}

func withdrawal(id string, ts int, amount int64) events.Event {
	return events.Event{EventID: id, Type: events.Withdrawal, TS: at(ts), UserID: "u9",
		Provider: events.ProviderWeChatPay, BankCode: "ICBC", AmountFen: amount}
}

// row is one message of the test lake: an event that landed, or one quarantined with
// the reason an earlier build gave.
type row struct {
	offset int64
	e      events.Event
	reason events.Reason // quarantined when set
	raw    string        // the raw message when not the event's encoding
}

func commitRows(t testing.TB, l *lake.Lake, partition int, rows []row) *lake.Commit {
	t.Helper()
	w := l.NewPartitionWriter(topic, partition)
	defer w.Release()
	for _, r := range rows {
		if r.reason == "" {
			w.Append(r.offset, &r.e)
			continue
		}
		raw := []byte(r.raw)
		if r.raw == "" {
			var err error
			if raw, err = events.Encode(&r.e); err != nil {
				t.Fatal(err)
			}
		}
		w.Quarantine(lake.QuarantineRecord{Offset: r.offset, Key: []byte(r.e.Key()), KafkaTS: r.e.TS,
			Raw: raw, Reason: r.reason, Detail: "as the ingester said then"})
	}
	c, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lakeWith writes a lake in a new folder whose partition 0 holds rows, in one commit, and
// returns the folder.
func lakeWith(t testing.TB, rows []row) string {
	t.Helper()
	dir := t.TempDir()
	l, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	commitRows(t, l, 0, rows)
	return dir
}

// buildLake writes the test lake, 17 messages over two partitions, and returns the path
// of its grabs file that DuckDB cannot read.
//
//	p0  0 envelope E1 (3 shares, 300 fen)        landed
//	    1 claim g1 on E1, 100 fen                landed
//	    2 claim g2 on E2, 50 fen                 quarantined unknown_envelope: E2 came late  → lands
//	    3 envelope E2 (2 shares, 200 fen)        quarantined bad_timestamp by a rule since fixed → lands
//	    4 "{"                                    quarantined not_json                       → stays
//	    5 g1 again                               quarantined duplicate_event_id             → stays
//	    6 claim g6 on E1, 150 fen                quarantined claims_exceed_total by an old bug → lands
//	    7 claim g7 on E1, 100 fen                quarantined claims_exceed_total            → stays (250+100 > 300)
//	    8 claim g8 on E3, never sent             quarantined unknown_envelope               → stays
//	    9 E1 sent again as e9                    quarantined duplicate_envelope             → stays
//	   10 envelope E4 (2 shares, 100 fen)        landed
//	   11 claim g11 on E4, 40 fen                landed in the unreadable grabs file        → evicted, lands
//	   12 claim g12 on E4, user id not UTF-8     landed in the unreadable grabs file        → evicted, stays invalid_utf8
//	   13 withdrawal w13, 900 fen                landed
//	p1  0 withdrawal w0, 500 fen                 landed
//	    1 withdrawal w1, 700 fen                 quarantined invalid_value by a rule since fixed → lands
//	    2 a withdrawal without amount            quarantined missing_field                  → stays
func buildLake(t *testing.T, dir string) (badFile string) {
	t.Helper()
	l, err := lake.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	commitRows(t, l, 0, []row{
		{0, envelope("e0", "E1", 0, 3, 300), "", ""},
		{1, claim("g1", "E1", 1, 100), "", ""},
		{2, claim("g2", "E2", 2, 50), events.ReasonUnknownEnvelope, ""},
		{3, envelope("e3", "E2", 1, 2, 200), events.ReasonBadTimestamp, ""},
		{4, events.Event{}, events.ReasonNotJSON, "{"},
		{5, claim("g1", "E1", 1, 100), events.ReasonDuplicateEventID, ""},
		{6, claim("g6", "E1", 6, 150), events.ReasonClaimOverTotal, ""},
		{7, claim("g7", "E1", 7, 100), events.ReasonClaimOverTotal, ""},
		{8, claim("g8", "E3", 8, 10), events.ReasonUnknownEnvelope, ""},
		{9, envelope("e9", "E1", 9, 5, 500), events.ReasonDuplicateEnvelope, ""},
	})
	bad := claim("g12", "E4", 12, 30)
	bad.UserID = "u\xff\xfe"
	c := commitRows(t, l, 0, []row{
		{10, envelope("e10", "E4", 10, 2, 100), "", ""},
		{11, claim("g11", "E4", 11, 40), "", ""},
		{12, bad, "", ""},
		{13, withdrawal("w13", 13, 900), "", ""},
	})
	commitRows(t, l, 1, []row{
		{0, withdrawal("w0", 0, 500), "", ""},
		{1, withdrawal("w1", 1, 700), events.ReasonInvalidValue, ""},
		{2, events.Event{}, events.ReasonMissingField, `{"event_id":"w2","type":"withdrawal","ts":"2014-01-30T16:00:02Z","user_id":"u9","provider":"alipay","bank_code":"ICBC"}`},
	})
	f, _ := c.File("grabs")
	return filepath.Join(dir, "lake", "grabs", f.File)
}

// lakeInt opens the lake as the quarantine commands read it (one view per table over
// its Parquet files) and returns the one number q gives.
func lakeInt(t *testing.T, dir, q string) int64 {
	t.Helper()
	ldb, err := openLakeDB(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ldb.Close()
	var n int64
	if err := ldb.db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// waiting is the lake's quarantined messages that no replay landed.
const waiting = `SELECT * FROM quarantine q WHERE NOT EXISTS (SELECT 1 FROM quarantine_replays r
	WHERE r.kafka_topic = q.kafka_topic AND r.kafka_partition = q.kafka_partition AND r.kafka_offset = q.kafka_offset)`

// lakeListing is every file name under DIR/lake, to see that a command wrote nothing.
func lakeListing(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	err := filepath.WalkDir(filepath.Join(dir, "lake"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != ".lock" {
			names = append(names, strings.TrimPrefix(p, dir))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}
