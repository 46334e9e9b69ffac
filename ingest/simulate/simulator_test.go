package simulate

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
)

// run simulates and returns the hash of the encoded stream plus per-type tallies.
type tally struct {
	hash          string
	count         map[events.Type]int
	claimsPerMin  map[int64]int
	attemptsByMin map[int64]int
	envTotalFen   int64
	minClaim      int64
	maxClaim      int64
	order         bool          // every grab came after its envelope was sent
	perSecond     map[int64]int // sends plus claims, by second
}

func simulateTally(t testing.TB, scale float64, seed uint64) tally {
	t.Helper()
	return simulateCal(t, nil, scale, seed)
}

// simulateCal runs calibration cal (nil for the default) and tallies the stream.
func simulateCal(t testing.TB, cal *Calibration, scale float64, seed uint64) tally {
	t.Helper()
	s, err := New(Config{Calibration: cal, Scale: scale, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	tl := tally{count: map[events.Type]int{}, claimsPerMin: map[int64]int{}, attemptsByMin: map[int64]int{}, minClaim: math.MaxInt64, order: true,
		perSecond: map[int64]int{}}
	sent := map[string]bool{}
	err = s.Run(context.Background(), func(e *events.Event) error {
		b, err := events.Encode(e)
		if err != nil {
			return err
		}
		h.Write(b)
		h.Write([]byte{'\n'})
		tl.count[e.Type]++
		switch e.Type {
		case events.EnvelopeSent:
			tl.perSecond[e.TS.Unix()]++
			tl.envTotalFen += e.TotalFen
			sent[e.EnvelopeID] = true
		case events.EnvelopeGrabbed:
			if !sent[e.EnvelopeID] {
				tl.order = false
			}
			m := e.TS.Unix() / 60
			tl.attemptsByMin[m]++
			if e.Outcome == events.OutcomeClaimed {
				tl.claimsPerMin[m]++
				tl.perSecond[e.TS.Unix()]++
				tl.minClaim = min(tl.minClaim, e.AmountFen)
				tl.maxClaim = max(tl.maxClaim, e.AmountFen)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tl.hash = fmt.Sprintf("%x", h.Sum(nil))
	return tl
}

func TestDeterministic(t *testing.T) {
	a := simulateTally(t, 0.0005, 42)
	b := simulateTally(t, 0.0005, 42)
	if a.hash != b.hash {
		t.Errorf("same seed and scale gave different streams: %s vs %s", a.hash, b.hash)
	}
	c := simulateTally(t, 0.0005, 43)
	if a.hash == c.hash {
		t.Error("a different seed gave the same stream")
	}
}

func TestPeakMinuteAndTotals(t *testing.T) {
	const scale = 0.002
	tl := simulateTally(t, scale, 2014)
	cal := DefaultCalibration()
	peak := cal.Window.PeakMinute.Unix() / 60
	best, bestN := int64(0), 0
	total := 0
	for m, n := range tl.claimsPerMin {
		total += n
		if n > bestN || (n == bestN && m < best) {
			best, bestN = m, n
		}
	}
	if best != peak {
		t.Errorf("busiest minute %s (%d claims), want %s", time.Unix(best*60, 0).In(cal.Location()), bestN, cal.Window.PeakMinute)
	}
	if want := int(math.Round(25000 * scale)); bestN != want {
		t.Errorf("peak minute has %d claims, want %d", bestN, want)
	}
	// Claims follow the curve exactly: the window's total is the reported one × scale.
	if got, want := tl.claimsIn(cal.Window.Figures(), cal.Window.End), 22_588_800*scale; math.Abs(float64(got)-want) > 1 {
		t.Errorf("claims %d Eve 00:00 → Day 1 16:00, want %.0f", got, want)
	}
	if tl.count[events.EnvelopeGrabbed] != total+sumMisses(tl) {
		t.Error("grab tally does not add up")
	}
	if !tl.order {
		t.Error("a grab came before its envelope was sent")
	}
	// Single claims run from 1 fen up to at most 200 yuan.
	if tl.minClaim != 1 || tl.maxClaim > events.MaxClaimFen {
		t.Errorf("claims range %d..%d fen, want from 1 fen to at most 20000", tl.minClaim, tl.maxClaim)
	}
	for _, typ := range events.Types {
		if tl.count[typ] == 0 {
			t.Errorf("no %s events", typ)
		}
	}
}

func sumMisses(tl tally) int {
	n := 0
	for m, a := range tl.attemptsByMin {
		n += a - tl.claimsPerMin[m]
	}
	return n
}

// BenchmarkSimulate measures generating and encoding events; solving the population
// (about 0.25 s, once per run) is left out of the timer.
func BenchmarkSimulate(b *testing.B) {
	var n, total int
	for b.Loop() {
		b.StopTimer()
		s, err := New(Config{Scale: 0.002, Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		n = 0
		var buf []byte
		var enc events.Encoder
		s.Run(context.Background(), func(e *events.Event) error {
			n++
			var err error
			buf, err = enc.Append(buf[:0], e) // as the producer encodes
			return err
		})
		total += n
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "events/s")
}

// TestUserStateKeepsItsParts: the balance, the card and the flags packed in one word
// change only where they are set, up to the largest of each.
func TestUserStateKeepsItsParts(t *testing.T) {
	var u userState
	u.addBalance(events.MaxClaimFen)
	u.setBound(254)
	u.set(flagClaimed)
	u.addBalance(balanceMask - events.MaxClaimFen - 1)
	if u.balance() != balanceMask-1 || u.bound() != 254 || !u.has(flagClaimed) || u.has(flagAlipay) {
		t.Fatalf("balance %d, card %d, claimed %v, alipay %v; want %d, 254, true, false",
			u.balance(), u.bound(), u.has(flagClaimed), u.has(flagAlipay), int64(balanceMask-1))
	}
	u.set(flagAlipay)
	u.setBound(3)
	u.clearBalance()
	if u.balance() != 0 || u.bound() != 3 || !u.has(flagClaimed) || !u.has(flagAlipay) || u.has(flagBindScheduled) {
		t.Fatalf("after a withdrawal: balance %d, card %d, flags %08b", u.balance(), u.bound(), uint8(u>>flagShift))
	}
}

// TestIDTextCounts: the ids' base-36 counter, kept by counting, reads as
// strconv.FormatUint writes each number, across the carries into a new digit and
// with the gaps the scheduler's sequence numbers leave.
func TestIDTextCounts(t *testing.T) {
	s := &Simulator{prefix: "s1k-"}
	s.evText = append([]byte(s.prefix), '0')
	for n := uint64(1); n < 3_000_000; n++ {
		if n%7 == 3 {
			s.evSeq += 2 // a task scheduled between two events
		} else {
			s.evSeq++
		}
		if got, want := string(s.idText()), "s1k-"+strconv.FormatUint(s.evSeq, 36); got != want {
			t.Fatalf("sequence %d: %s, want %s", s.evSeq, got, want)
		}
	}
}
