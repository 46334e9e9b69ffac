package ingest_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/internal/testtopic"
	"github.com/hongbao/hongbao/transform"
)

const topic = broker.DefaultTopic

// badMessage is a message that must land in quarantine with reason.
type badMessage struct {
	key, value string
	reason     events.Reason
}

var badMessages = []badMessage{
	{"k1", `{"event_id": "x1", "type": "envelope_sent", `, events.ReasonNotJSON},
	{"k2", `[1, 2, 3]`, events.ReasonNotObject},
	{"k3", `{"event_id":"x3","type":"envelope_opened","ts":"2014-01-31T12:00:00+08:00"}`, events.ReasonUnknownType},
	{"k4", `{"event_id":"x4","type":"withdrawal","ts":"2014-01-31T12:00:00+08:00","user_id":"u1","provider":"wechat_pay","bank_code":"ICBC"}`, events.ReasonMissingField},
	{"k5", `{"event_id":"x5","type":"payment","ts":"2014-01-31T12:00:00+08:00","user_id":"u1","provider":"alipay","scenario":"taxi","amount_fen":"12.50","bank_code":"ICBC"}`, events.ReasonWrongType},
	{"k6", `{"event_id":"x6","type":"link_shared","ts":"31/01/2014 00:00","user_id":"u1","chat_id":"g1","url":"http://x"}`, events.ReasonBadTimestamp},
	// Not UTF-8 where the JSON parser quotes the byte in its error: the quarantine's
	// detail must still be UTF-8, or DuckDB cannot read the quarantine file.
	{"k11", "{\"event_id\":\"x11\",\"amount_fen\":\xda", events.ReasonNotJSON},
	{"k7", `{"event_id":"x7","type":"envelope_grabbed","ts":"2014-01-31T12:00:01+08:00","envelope_id":"bad-env","user_id":"u2","outcome":"claimed","amount_fen":20001}`, events.ReasonClaimOverLimit},
	// One share, two claims: the second overdraws the envelope.
	{"bad-env-2", `{"event_id":"x8","type":"envelope_sent","ts":"2014-01-31T12:00:00+08:00","envelope_id":"bad-env-2","sender_id":"u1","chat_id":"p1","kind":"fixed","total_fen":500,"shares":1}`, ""},
	{"bad-env-2", `{"event_id":"x9","type":"envelope_grabbed","ts":"2014-01-31T12:00:01+08:00","envelope_id":"bad-env-2","user_id":"u2","outcome":"claimed","amount_fen":500}`, ""},
	{"bad-env-2", `{"event_id":"x10","type":"envelope_grabbed","ts":"2014-01-31T12:00:02+08:00","envelope_id":"bad-env-2","user_id":"u3","outcome":"claimed","amount_fen":500}`, events.ReasonClaimsExceedShares},
}

func produceBad(t testing.TB, addr string) {
	t.Helper()
	ctx := context.Background()
	p := produce.New(produce.Config{Brokers: []string{addr}, Topic: topic})
	for _, m := range badMessages {
		if err := p.AddRaw(ctx, []byte(m.key), []byte(m.value), "bad", 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

// readCount follows an ingester's count of messages read, as its OnConsumed, so
// that a test waits for a number instead of polling the count.
type readCount struct {
	mu      sync.Mutex
	total   int64
	want    int64
	reached chan struct{} // closed once total reaches want
}

// add is the ingester's OnConsumed. Partitions report concurrently, so a total may
// arrive after a larger one.
func (c *readCount) add(total int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = max(c.total, total)
	if c.reached != nil && c.total >= c.want {
		close(c.reached)
		c.reached = nil
	}
}

// wait returns once n messages were read (true) or ctx ends (false). One
// goroutine waits at a time.
func (c *readCount) wait(ctx context.Context, n int64) bool {
	c.mu.Lock()
	if c.total >= n {
		c.mu.Unlock()
		return true
	}
	reached := make(chan struct{})
	c.want, c.reached = n, reached
	c.mu.Unlock()
	select {
	case <-reached:
		return true
	case <-ctx.Done():
		return false
	}
}

// ingestUntil runs the ingester until it has read the n messages the topic holds
// (StopAfter, which checks the lake holds them all), or idles for idle.
func ingestUntil(t testing.TB, addr, dir string, n int64, idle time.Duration, flushRows int) *ingest.Summary {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sum, err := ingest.Run(ctx, ingest.Config{Brokers: []string{addr}, Topic: topic, Group: "test", Dir: dir,
		UntilIdle: idle, FlushRows: flushRows, StopAfter: n})
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatalf("the ingester ran until the test's timeout, having read %d of %d messages", sum.Messages, n)
	}
	return sum
}

func openWarehouse(t testing.TB, dir string) *sql.DB {
	t.Helper()
	w, err := transform.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w.DB()
}

func amountColumn(t events.Type) string {
	switch t {
	case events.EnvelopeSent:
		return "total_fen"
	case events.CardBound, events.LinkShared:
		return "0"
	}
	return "amount_fen"
}

// checkLanded asserts that every produced event landed once, by count and by sum of
// money, and that every bad message sits in quarantine with its reason.
func checkLanded(t *testing.T, db *sql.DB, st produce.Stats, withBad bool) {
	t.Helper()
	for _, typ := range events.Types {
		var n, fen, distinct int64
		q := fmt.Sprintf("SELECT count(*), coalesce(sum(%s),0)::BIGINT, count(DISTINCT event_id) FROM %s WHERE event_id NOT LIKE 'x%%'", amountColumn(typ), typ.Table())
		if err := db.QueryRow(q).Scan(&n, &fen, &distinct); err != nil {
			t.Fatal(err)
		}
		if n != st.Count[typ] || fen != st.SumFen[typ] || distinct != n {
			t.Errorf("%s: landed %d events (%d distinct) summing %d fen; produced %d summing %d", typ, n, distinct, fen, st.Count[typ], st.SumFen[typ])
		}
	}
	want := map[string]int{}
	for _, m := range badMessages {
		if m.reason != "" && withBad {
			want[string(m.reason)]++
		}
	}
	rows, err := db.Query("SELECT reason, count(*), count(DISTINCT kafka_offset::VARCHAR || '/' || kafka_partition::VARCHAR) FROM quarantine GROUP BY reason")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	got := map[string]int{}
	for rows.Next() {
		var r string
		var n, d int
		if err := rows.Scan(&r, &n, &d); err != nil {
			t.Fatal(err)
		}
		if n != d {
			t.Errorf("quarantine reason %s: %d rows but %d distinct offsets", r, n, d)
		}
		got[r] = n
	}
	for r, n := range want {
		if got[r] != n {
			t.Errorf("quarantine reason %s: %d messages, want %d (all: %v)", r, got[r], n, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("quarantine reasons %v, want %v", got, want)
	}
}

func TestEndToEndOverKafka(t *testing.T) {
	dir := t.TempDir()
	b := testtopic.Broker(t, filepath.Join(dir, "broker"))
	st := testtopic.Produce(t, b.Addr(), 0.001, 7)
	produceBad(t, b.Addr())
	total := st.Messages + int64(len(badMessages))
	sum := ingestUntil(t, b.Addr(), dir, total, 0, 20_000)
	if sum.Messages != total {
		t.Fatalf("read %d messages, produced %d", sum.Messages, total)
	}
	// The reading window, which the command's rate is over, lies within the run.
	if sum.Reading <= 0 || sum.Reading >= sum.Elapsed {
		t.Errorf("read for %v of a run of %v; want a part of it", sum.Reading, sum.Elapsed)
	}
	db := openWarehouse(t, dir)
	checkLanded(t, db, st, true)

	// The lake's files read back with any Parquet reader: DuckDB's read_parquet gives
	// the same counts as the warehouse, and the money as integers.
	for _, table := range []string{"envelopes", "grabs", "card_bindings", "withdrawals", "payments", "links", "quarantine"} {
		var inLake, inWarehouse int64
		glob := filepath.Join(dir, "lake", table, "*.parquet")
		if err := db.QueryRow("SELECT count(*) FROM read_parquet('" + glob + "')").Scan(&inLake); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("SELECT count(*) FROM " + table).Scan(&inWarehouse); err != nil {
			t.Fatal(err)
		}
		if inLake != inWarehouse || inLake == 0 {
			t.Errorf("%s: read_parquet counts %d rows, the warehouse %d", table, inLake, inWarehouse)
		}
	}
	var amountType string
	if err := db.QueryRow("SELECT typeof(amount_fen) FROM read_parquet('" + filepath.Join(dir, "lake", "grabs", "*.parquet") + "') LIMIT 1").Scan(&amountType); err != nil || amountType != "BIGINT" {
		t.Errorf("amount_fen in the lake is %q (%v), want BIGINT", amountType, err)
	}

	// The busiest minute is the midnight peak.
	var minute time.Time
	var claims int64
	if err := db.QueryRow("SELECT minute, claims FROM claims_per_minute ORDER BY claims DESC LIMIT 1").Scan(&minute, &claims); err != nil {
		t.Fatal(err)
	}
	if got := minute.Format("2006-01-02 15:04"); got != "2014-01-31 00:00" || claims != 25 {
		t.Errorf("busiest minute %s with %d claims, want 2014-01-31 00:00 with 25", got, claims)
	}

	// A second run reads nothing new and lands nothing twice.
	sum = ingestUntil(t, b.Addr(), dir, 0, 1500*time.Millisecond, 20_000)
	if sum.Messages != 0 || sum.Reading != 0 {
		t.Errorf("second run read %d messages for %v; want 0", sum.Messages, sum.Reading)
	}
	checkLanded(t, openWarehouse(t, dir), st, true)
}

// TestIngestChild is the ingester run as a separate process by TestCrashAndResume.
func TestIngestChild(t *testing.T) {
	addr, dir := os.Getenv("HONGBAO_CHILD_BROKER"), os.Getenv("HONGBAO_CHILD_DIR")
	if addr == "" {
		t.Skip("run by TestCrashAndResume")
	}
	ingestUntil(t, addr, dir, 0, time.Minute, 3_000)
}

func countMarkers(dir string) int {
	n := 0
	filepath.WalkDir(filepath.Join(dir, "lake", "_commits"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".json" {
			n++
		}
		return nil
	})
	return n
}

// waitForMarkers polls, for a minute at most, until the lake in dir holds n commit
// markers: they are a child process's, which has no event to wait on.
func waitForMarkers(dir string, n int) {
	deadline := time.Now().Add(time.Minute)
	for countMarkers(dir) < n && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
}

func TestCrashAndResume(t *testing.T) {
	dir := t.TempDir()
	b := testtopic.Broker(t, filepath.Join(dir, "broker"))
	st := testtopic.Produce(t, b.Addr(), 0.001, 11)
	produceBad(t, b.Addr())

	// Kill an ingester mid-stream, without a clean shutdown.
	cmd := exec.Command(os.Args[0], "-test.run=^TestIngestChild$", "-test.v")
	cmd.Env = append(os.Environ(), "HONGBAO_CHILD_BROKER="+b.Addr(), "HONGBAO_CHILD_DIR="+dir)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForMarkers(dir, 5)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	before := countMarkers(dir)
	if before < 5 {
		t.Fatalf("the child committed %d times before the kill; want at least 5", before)
	}
	total := st.Messages + int64(len(badMessages))
	sum := ingestUntil(t, b.Addr(), dir, 0, 2*time.Second, 3_000)
	if sum.Messages >= total {
		t.Errorf("the restarted ingester read %d messages, the whole topic: it did not resume", sum.Messages)
	}
	t.Logf("killed after %d commits; the restart read %d of %d messages", before, sum.Messages, total)
	checkLanded(t, openWarehouse(t, dir), st, true)
}

func TestBrokerRestartKeepsMessages(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "broker")
	b := testtopic.Broker(t, data) // closed mid-test too: Close is idempotent
	st := testtopic.Produce(t, b.Addr(), 0.0002, 3)
	b.Close()

	b2 := testtopic.Broker(t, data)
	sum := ingestUntil(t, b2.Addr(), dir, st.Messages, 0, 50_000)
	if sum.Messages != st.Messages {
		t.Fatalf("after the restart the ingester read %d messages; %d were produced before it", sum.Messages, st.Messages)
	}
	checkLanded(t, openWarehouse(t, dir), st, false)
}

// logLines is an ingester's Log: it keeps the lines, and tells a waiter when a
// line starting with a prefix is logged.
type logLines struct {
	mu     sync.Mutex
	lines  []string
	prefix string
	said   chan struct{} // closed at the first line with prefix after next
}

func (l *logLines) log(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, line)
	if l.said != nil && strings.HasPrefix(line, l.prefix) {
		close(l.said)
		l.said = nil
	}
}

// next returns a channel closed once a line starting with prefix is logged from now on.
func (l *logLines) next(prefix string) <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prefix, l.said = prefix, make(chan struct{})
	return l.said
}

// all is what was logged so far.
func (l *logLines) all() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.lines)
}

// TestIngesterSurvivesBrokerRestart restarts the broker under a running ingester:
// it keeps retrying, and lands what is produced after the restart once.
func TestIngesterSurvivesBrokerRestart(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "broker")
	b := testtopic.Broker(t, data) // closed mid-test too: Close is idempotent
	addr := b.Addr()
	first := testtopic.Produce(t, addr, 0.0002, 5)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var consumed atomic.Int64
	var read readCount
	var log logLines
	done := make(chan error, 1)
	go func() {
		_, err := ingest.Run(ctx, ingest.Config{Brokers: []string{addr}, Topic: topic, Group: "restart", Dir: dir,
			FlushRows: 5000, FlushInterval: 200 * time.Millisecond, Consumed: &consumed, OnConsumed: read.add, Log: log.log})
		done <- err
	}()
	if !read.wait(ctx, first.Messages) {
		t.Fatalf("the ingester read %d of the %d messages produced before the restart", consumed.Load(), first.Messages)
	}
	// The group tries to join again only once the partition readers of its
	// generation have stopped: its line says the whole ingester saw the broker gone.
	groupDown := log.next(`consumer group "restart": `)
	b.Close()
	select {
	case <-groupDown:
	case <-ctx.Done():
		t.Fatalf("the ingester never said the broker was gone; it logged %q", log.all())
	}
	b2, err := broker.Start(broker.Config{Listen: addr, DataDir: data, Topic: topic})
	if err != nil {
		t.Fatalf("restart the broker on %s: %v", addr, err)
	}
	defer b2.Close()
	second := testtopic.Produce(t, addr, 0.0002, 6)
	if !read.wait(ctx, first.Messages+second.Messages) {
		t.Fatalf("the ingester read %d of the %d messages produced", consumed.Load(), first.Messages+second.Messages)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("the ingester stopped with %v", err)
	}
	if got, want := consumed.Load(), first.Messages+second.Messages; got != want {
		t.Fatalf("read %d messages, produced %d", got, want)
	}
	both := produce.Stats{Count: map[events.Type]int64{}, SumFen: map[events.Type]int64{}}
	for _, st := range []produce.Stats{first, second} {
		for k, v := range st.Count {
			both.Count[k] += v
		}
		for k, v := range st.SumFen {
			both.SumFen[k] += v
		}
	}
	checkLanded(t, openWarehouse(t, dir), both, false)
	ranges, _, err := ingest.TopicRanges(context.Background(), []string{addr}, topic)
	if err != nil {
		t.Fatal(err)
	}
	checkOutageLog(t, log.all(), `consumer group "restart"`, len(ranges))
}

// checkOutageLog checks what an ingester reading parts partitions logged of one
// broker outage, retries repeating no line: each partition reader said once that
// it lost its connection and, unless the group ended the generation first, once
// that it could not reconnect; the group said once that it could not join again.
// So from parts+1 to 2*parts+1 lines, where a line per retry would be many more.
func checkOutageLog(t *testing.T, lines []string, group string, parts int) {
	t.Helper()
	bySource := map[string][]string{}
	for _, l := range lines {
		source, _, _ := strings.Cut(l, ": ")
		bySource[source] = append(bySource[source], l)
		if !strings.HasSuffix(l, "; retrying") {
			t.Errorf("logged %q, which is not a problem the ingester retries", l)
		}
	}
	bad := len(bySource) != parts+1 || len(bySource[group]) != 1
	for p := range parts {
		said := bySource[fmt.Sprintf("partition %d", p)]
		bad = bad || len(said) < 1 || len(said) > 2 || len(said) == 2 && !strings.Contains(said[1], "connect to its leader")
	}
	if bad {
		t.Errorf("the ingester logged %d lines for the outage; want one per partition for the lost connection, at most one more for the refused reconnection, and one for the group:\n%s",
			len(lines), strings.Join(lines, "\n"))
	}
	t.Logf("the ingester logged %d transient problems while the broker was down", len(lines))
}
