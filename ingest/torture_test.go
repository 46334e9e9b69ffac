package ingest_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/hongbao/hongbao/ingest"
	"github.com/hongbao/hongbao/ingest/broker"
	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/internal/testtopic"
)

// The torture tests run real faults over the real Kafka protocol: SIGKILLed
// ingesters, a SIGKILLed broker, two ingesters in one group, a broker that lost its
// data. Each checks against the topic itself that every offset is in the lake once,
// in an event table or in quarantine, and that the exit status told the truth. They
// are quick by default; HONGBAO_TORTURE=1 (scripts/torture.sh) makes them longer.

// torture returns the quick or the long value of a test's knob.
func torture(quick, long int) int {
	if os.Getenv("HONGBAO_TORTURE") != "" {
		return long
	}
	return quick
}

// freeAddr finds a loopback address to run a broker on, restarts included.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// brokerProc is the embedded broker in a child process, so that a test can kill it.
type brokerProc struct {
	t          testing.TB
	addr, data string
	cmd        *exec.Cmd
	stdin      io.WriteCloser
}

// startBrokerProc starts the broker child and returns once it listens.
func startBrokerProc(t testing.TB, addr, data string) *brokerProc {
	t.Helper()
	b := &brokerProc{t: t, addr: addr, data: data}
	b.start()
	t.Cleanup(b.kill)
	return b
}

func (b *brokerProc) start() {
	b.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokerChild$")
	cmd.Env = append(os.Environ(), "HONGBAO_BROKER_CHILD="+b.addr, "HONGBAO_BROKER_CHILD_DATA="+b.data)
	stdin, err := cmd.StdinPipe() // the child exits when this closes, so none outlives the test
	if err != nil {
		b.t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	// The child prints "listening" once the broker accepts connections.
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "listening") {
		cmd.Process.Kill()
		cmd.Wait()
		b.t.Fatalf("broker child on %s: %q, %v", b.addr, line, err)
	}
	go io.Copy(io.Discard, out)
	b.cmd, b.stdin = cmd, stdin
}

// kill SIGKILLs the broker: no clean shutdown, as a crash would.
func (b *brokerProc) kill() {
	if b.cmd == nil {
		return
	}
	b.cmd.Process.Signal(syscall.SIGKILL)
	b.cmd.Wait()
	b.stdin.Close()
	b.cmd = nil
}

// TestBrokerChild is the broker run as a separate process by the torture tests.
func TestBrokerChild(t *testing.T) {
	addr := os.Getenv("HONGBAO_BROKER_CHILD")
	if addr == "" {
		t.Skip("run by the torture tests")
	}
	b, err := broker.Start(broker.Config{Listen: addr, DataDir: os.Getenv("HONGBAO_BROKER_CHILD_DATA"), Topic: topic})
	if err != nil {
		fmt.Println("failed:", err)
		os.Exit(1)
	}
	fmt.Println("listening on", b.Addr())
	io.Copy(io.Discard, os.Stdin)
	b.Close()
	os.Exit(0)
}

// checkEveryOffsetOnce checks the lake against the topic: every offset of every
// partition is in exactly one row of one lake table (events or quarantine), and
// there is no event_id twice.
func checkEveryOffsetOnce(t testing.TB, dir, addr string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ranges, _, err := ingest.TopicRanges(ctx, []string{addr}, topic)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	glob := filepath.Join(dir, "lake", "*", "*.parquet")
	rows, err := db.QueryContext(ctx, `SELECT kafka_partition, count(*), count(DISTINCT kafka_offset), min(kafka_offset), max(kafka_offset)
		FROM read_parquet('`+glob+`', union_by_name = true) GROUP BY ALL ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[int]bool{}
	var total int64
	for rows.Next() {
		var p int
		var n, distinct, lo, hi int64
		if err := rows.Scan(&p, &n, &distinct, &lo, &hi); err != nil {
			t.Fatal(err)
		}
		seen[p] = true
		r := ranges[p]
		if n != distinct || lo != r[0] || hi != r[1]-1 || n != r[1]-r[0] {
			t.Errorf("partition %d: the lake has %d rows, %d distinct offsets from %d to %d; the topic holds %d to %d",
				p, n, distinct, lo, hi, r[0], r[1]-1)
		}
		total += n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for p, r := range ranges {
		if !seen[p] && r[1] > r[0] {
			t.Errorf("partition %d: nothing in the lake; the topic holds %d to %d", p, r[0], r[1]-1)
		}
	}
	var dups int64
	var globs []string
	for _, typ := range events.Types {
		if files, _ := filepath.Glob(filepath.Join(dir, "lake", typ.Table(), "*.parquet")); len(files) > 0 {
			globs = append(globs, "'"+filepath.Join(dir, "lake", typ.Table(), "*.parquet")+"'")
		}
	}
	if len(globs) == 0 {
		t.Fatal("no event table in the lake has a file")
	}
	if err := db.QueryRowContext(ctx, `SELECT count(*) - count(DISTINCT event_id) FROM read_parquet([`+strings.Join(globs, ", ")+`], union_by_name = true)`).Scan(&dups); err != nil {
		t.Fatal(err)
	}
	if dups != 0 {
		t.Errorf("%d event_ids are in the lake more than once", dups)
	}
	return total
}

// lakeListing names every file of the lake with its size, to show it unchanged.
func lakeListing(t testing.TB, dir string) string {
	t.Helper()
	var out []string
	filepath.WalkDir(filepath.Join(dir, "lake"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() != ".lock" {
			info, _ := d.Info()
			out = append(out, p+" "+strconv.FormatInt(info.Size(), 10))
		}
		return nil
	})
	slices.Sort(out)
	return strings.Join(out, "\n")
}

var testLog = func(format string, args ...any) {
	if os.Getenv("HONGBAO_TEST_LOG") != "" {
		fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05.000 ")+format+"\n", args...)
	}
}

// drain runs an ingester with --until-idle and returns what it said.
// brokerWorld starts a broker with its data in a new folder and produces the world of
// scale and seed to it; ctx ends after 3 minutes or with the test.
func brokerWorld(t *testing.T, scale float64, seed uint64) (string, *broker.Broker, produce.Stats, context.Context) {
	dir := t.TempDir()
	b := testtopic.Broker(t, filepath.Join(dir, "broker"))
	st := testtopic.Produce(t, b.Addr(), scale, seed)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	t.Cleanup(cancel)
	return dir, b, st, ctx
}

func drain(ctx context.Context, addr, dir, group string, idle time.Duration) (*ingest.Summary, error) {
	return ingest.Run(ctx, ingest.Config{Brokers: []string{addr}, Topic: topic, Group: group, Dir: dir,
		UntilIdle: idle, StallTimeout: 2 * time.Minute, FlushRows: 20_000, Log: testLog})
}

// TestUntilIdleAfterKilledIngesters: ingesters SIGKILLed mid-stream leave dead
// members in the group, holding partitions until their sessions time out. A
// draining ingester must wait for those partitions, not stop at the first quiet spell.
func TestUntilIdleAfterKilledIngesters(t *testing.T) {
	dir := t.TempDir()
	b := testtopic.Broker(t, filepath.Join(dir, "broker"))
	st := testtopic.Produce(t, b.Addr(), 0.0005, 21)
	produceBad(t, b.Addr())
	kills := torture(3, 20)
	for i := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestIngestChild$")
		cmd.Env = append(os.Environ(), "HONGBAO_CHILD_BROKER="+b.Addr(), "HONGBAO_CHILD_DIR="+dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForMarkers(dir, countMarkers(dir)+2)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		t.Logf("kill %d: %d commits in the lake", i+1, countMarkers(dir))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sum, err := drain(ctx, b.Addr(), dir, "test", 500*time.Millisecond)
	if err != nil || !sum.Drained {
		t.Fatalf("drain after %d kills: %v (drained %v)", kills, err, sum != nil && sum.Drained)
	}
	total := st.Messages + int64(len(badMessages))
	if n := checkEveryOffsetOnce(t, dir, b.Addr()); n != total {
		t.Errorf("the lake holds %d offsets; %d were produced", n, total)
	}
	checkLanded(t, openWarehouse(t, dir), st, true)
}

// TestBrokerKilledUnderDrainingIngester SIGKILLs the broker (its own process) under
// a draining ingester and starts it again on its data: the ingester waits it out and
// exits 0 only once every offset is in the lake.
func TestBrokerKilledUnderDrainingIngester(t *testing.T) {
	dir := t.TempDir()
	addr := freeAddr(t)
	bp := startBrokerProc(t, addr, filepath.Join(dir, "broker"))
	st := testtopic.Produce(t, addr, 0.0005, 22)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var consumed atomic.Int64
	var read readCount
	done := make(chan error, 1)
	var sum *ingest.Summary
	go func() {
		var err error
		sum, err = ingest.Run(ctx, ingest.Config{Brokers: []string{addr}, Topic: topic, Group: "test", Dir: dir,
			UntilIdle: 2 * time.Second, StallTimeout: 2 * time.Minute, FlushRows: 5_000, Consumed: &consumed,
			OnConsumed: read.add, Log: func(string, ...any) {}})
		done <- err
	}()
	kills := torture(3, 10)
	for i := range kills {
		read.wait(ctx, st.Messages*int64(i+1)/int64(kills+2))
		bp.kill()
		bp.start()
		t.Logf("broker kill %d after %d messages read", i+1, consumed.Load())
	}
	if err := <-done; err != nil || !sum.Drained {
		t.Fatalf("the ingester ended with %v", err)
	}
	if n := checkEveryOffsetOnce(t, dir, addr); n != st.Messages {
		t.Errorf("the lake holds %d offsets; %d were produced", n, st.Messages)
	}
	checkLanded(t, openWarehouse(t, dir), st, false)
}

// TestTwoIngestersOneLake: two members of one group share a lake; both drain and
// exit 0, and the lake is exact.
func TestTwoIngestersOneLake(t *testing.T) {
	dir, b, st, ctx := brokerWorld(t, 0.0005, 23)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	sums := make([]*ingest.Summary, 2)
	for i := range 2 {
		wg.Go(func() { sums[i], errs[i] = drain(ctx, b.Addr(), dir, "shared", time.Second) })
	}
	wg.Wait()
	var read int64
	for i := range 2 {
		if errs[i] != nil || !sums[i].Drained {
			t.Errorf("ingester %d: %v", i, errs[i])
		}
		if sums[i] != nil {
			read += sums[i].Messages
		}
	}
	if n := checkEveryOffsetOnce(t, dir, b.Addr()); n != st.Messages {
		t.Errorf("the lake holds %d offsets; %d were produced", n, st.Messages)
	}
	t.Logf("the two ingesters read %d and %d messages", sums[0].Messages, sums[1].Messages)
	if read < st.Messages {
		t.Errorf("the two read %d messages of %d", read, st.Messages)
	}
}

// TestRebalanceWhileSeeding: a second member joins while the first one's partitions
// still wait for each other to seed the duplicate window (one of them held in its
// seeding). The generation ends under them; that is a rebalance, not a failure: both
// members drain and exit without error, and the lake holds every offset once.
func TestRebalanceWhileSeeding(t *testing.T) {
	dir, b, st, ctx := brokerWorld(t, 0.0002, 25)
	held, second := make(chan struct{}), make(chan struct{})
	var holdOnce, secondOnce sync.Once
	defer ingest.SetSeedHook(func(p int) {
		first := false
		holdOnce.Do(func() { first = true; close(held) })
		if !first {
			return
		}
		// Until the second member has read a message. It cannot before this
		// generation ends, so the hold lasts its 10 s: time for the second member
		// to join and end the generation under the partitions waiting to seed.
		select {
		case <-second:
		case <-time.After(10 * time.Second):
		}
	})()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	sums := make([]*ingest.Summary, 2)
	wg.Go(func() { sums[0], errs[0] = drain(ctx, b.Addr(), dir, "seeding", time.Second) })
	<-held
	wg.Go(func() {
		cfg := ingest.Config{Brokers: []string{b.Addr()}, Topic: topic, Group: "seeding", Dir: dir,
			UntilIdle: time.Second, Log: t.Logf,
			OnConsumed: func(int64) { secondOnce.Do(func() { close(second) }) }}
		sums[1], errs[1] = ingest.Run(ctx, cfg)
	})
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Errorf("ingester %d: %v", i, errs[i])
		}
	}
	if n := checkEveryOffsetOnce(t, dir, b.Addr()); n != st.Messages {
		t.Errorf("the lake holds %d offsets; %d were produced", n, st.Messages)
	}
}

// TestTwoIngestersTwoLakes: members of one group writing to different folders each
// get part of the topic. One lake is complete (its member drained the topic alone
// first, and stays in the group); the member on the new lake gets only some
// partitions and must say which its lake lacks, not exit 0.
func TestTwoIngestersTwoLakes(t *testing.T) {
	t.Parallel()
	dir, b, _, ctx := brokerWorld(t, 0.0002, 24)
	first, second := filepath.Join(dir, "first"), filepath.Join(dir, "second")
	if _, err := drain(ctx, b.Addr(), first, "split", 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// The first member again, running until stopped, so that it keeps its
	// partitions while the second joins.
	firstDone := make(chan error, 1)
	firstCtx, stopFirst := context.WithCancel(ctx)
	defer stopFirst()
	go func() {
		_, err := ingest.Run(firstCtx, ingest.Config{Brokers: []string{b.Addr()}, Topic: topic, Group: "split", Dir: first, Log: testLog})
		firstDone <- err
	}()
	waitForMembers(t, ctx, b.Addr(), "split", 1)
	_, err := drain(ctx, b.Addr(), second, "split", 500*time.Millisecond)
	if !errors.Is(err, ingest.ErrNotDrained) || !strings.Contains(err.Error(), "lacks partition") ||
		!strings.Contains(err.Error(), "held by another member") {
		t.Errorf("the member on the new lake ended with %v; want a sentence naming the partitions its lake lacks", err)
	} else {
		t.Logf("the member on the new lake said: %v", err)
	}
	stopFirst()
	if err := <-firstDone; err != nil {
		t.Errorf("the member on the complete lake ended with %v", err)
	}
}

// TestBrokerLostData: the broker comes back without its data and the topic is
// produced again, shorter. Ingest into the old lake refuses with a sentence before
// reading anything, and leaves the lake as it was.
func TestBrokerLostData(t *testing.T) {
	dir, b, _, ctx := brokerWorld(t, 0.0005, 25)
	if _, err := drain(ctx, b.Addr(), dir, "test", 500*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	b.Close()
	before := lakeListing(t, dir)

	b2 := testtopic.Broker(t, filepath.Join(dir, "broker-new"))
	testtopic.Produce(t, b2.Addr(), 0.0002, 25)
	sum, err := drain(ctx, b2.Addr(), dir, "test", 500*time.Millisecond)
	if !errors.Is(err, ingest.ErrTopicChanged) || !strings.Contains(err.Error(), "another --dir") {
		t.Fatalf("ingest into the old lake: %v; want ErrTopicChanged with what to do", err)
	}
	if sum != nil && sum.Messages != 0 {
		t.Errorf("read %d messages of a topic it refused", sum.Messages)
	}
	if after := lakeListing(t, dir); after != before {
		t.Errorf("the lake changed:\nbefore\n%s\nafter\n%s", before, after)
	}
	t.Logf("refused with: %v", err)
}

// waitForMembers returns once the group is stable with n members holding partitions.
func waitForMembers(t testing.TB, ctx context.Context, addr, group string, n int) {
	t.Helper()
	for ctx.Err() == nil {
		if got, err := ingest.GroupMembers(ctx, []string{addr}, topic, group); err == nil && got == n {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("group %s never had %d members", group, n)
}

// TestReaderRefusesOffsetsTheLogLacks: a partition reader asked for an offset past
// the log's end stops with OffsetsGoneError naming the range; it never resets to an
// offset of its own choosing.
func TestReaderRefusesOffsetsTheLogLacks(t *testing.T) {
	addr, ctx := smallTopic(t)
	ranges, _, err := ingest.TopicRanges(ctx, []string{addr}, topic)
	if err != nil {
		t.Fatal(err)
	}
	r := ranges[0]
	n, err := ingest.ReadFrom(ctx, []string{addr}, topic, 0, r[1]+5)
	var gone *ingest.OffsetsGoneError
	if !errors.As(err, &gone) || gone.Next != r[1]+5 || gone.Start != r[0] || gone.End != r[1] || n != 0 {
		t.Fatalf("reading from offset %d of a log holding %d to %d: %d messages, %v; want OffsetsGoneError with that range", r[1]+5, r[0], r[1]-1, n, err)
	}
	if !strings.Contains(err.Error(), "ends before the lake does") {
		t.Errorf("the error does not say the log ends first: %v", err)
	}
	// From the log's end exactly: nothing to read yet, no error.
	if n, err := ingest.ReadFrom(ctx, []string{addr}, topic, 0, r[1]); err != nil || n != 0 {
		t.Errorf("reading from the log's end: %d messages, %v", n, err)
	}
	if n, err := ingest.ReadFrom(ctx, []string{addr}, topic, 0, r[0]); err != nil || n != r[1]-r[0] {
		t.Errorf("reading the whole log: %d messages of %d, %v", n, r[1]-r[0], err)
	}
}

// TestReaderHandsOverEachMessage: the ingester decodes with events.DecodeOwned, whose
// events share the message's bytes, which is safe only while kafka-go gives every
// message bytes of its own. Every message of a partition is kept as read; at the end
// each must still decode to an event keyed by its own key. A reader that reused its
// buffers would have overwritten the early ones with later messages.
func TestReaderHandsOverEachMessage(t *testing.T) {
	addr, ctx := smallTopic(t)
	msgs, err := ingest.ReadMessages(ctx, []string{addr}, topic, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) < 1000 {
		t.Fatalf("partition 0 holds %d messages; the test needs more", len(msgs))
	}
	v := events.DefaultValidator()
	for i, m := range msgs {
		e, err := events.Decode(m.Value, v)
		if err != nil || e.Key() != string(m.Key) {
			t.Fatalf("message %d of %d (offset %d), kept since it was read: key %q, value %q (%v)", i, len(msgs), m.Offset, m.Key, m.Value, err)
		}
	}
}

// smallTopic starts a broker whose topic holds a small simulated world, and returns its
// address and a context of a minute to read it in.
func smallTopic(t *testing.T) (string, context.Context) {
	t.Helper()
	b := testtopic.Broker(t, filepath.Join(t.TempDir(), "broker"))
	testtopic.Produce(t, b.Addr(), 0.0002, 7)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return b.Addr(), ctx
}
