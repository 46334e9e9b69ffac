package facts

import (
	"context"
	"database/sql"
	"math"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// tinyLake lands a small lake whose answers are known (see the comments), as the
// ingester does, and builds the warehouse on it.
func tinyLake(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	at := testworld.TS
	testworld.New(t, dir).Add(0,
		// Three envelopes: one on launch day, one on Eve night, one at the peak minute.
		testworld.Envelope("s-1", at("2014-01-26 03:11:30+08"), "e1", "s1", "g1", "lucky", 1000, 2),
		testworld.Envelope("s-2", at("2014-01-30 21:00:00+08"), "e2", "s2", "g1", "lucky", 2000, 3),
		testworld.Envelope("s-3", at("2014-01-31 00:00:05+08"), "e3", "s3", "g2", "lucky", 300, 2),
		// Seven claims (u1 claims three times) and two misses at the peak.
		testworld.Claim("g-1", at("2014-01-26 03:12:00+08"), "e1", "u1", 600),
		testworld.Claim("g-2", at("2014-01-26 03:13:00+08"), "e1", "u2", 400),
		testworld.Claim("g-3", at("2014-01-30 21:00:10+08"), "e2", "u1", 1000),
		testworld.Claim("g-4", at("2014-01-30 21:01:10+08"), "e2", "u3", 500),
		testworld.Claim("g-5", at("2014-01-30 21:02:10+08"), "e2", "u4", 500),
		testworld.Claim("g-6", at("2014-01-31 00:00:10+08"), "e3", "u1", 200),
		testworld.Claim("g-7", at("2014-01-31 00:00:30+08"), "e3", "u7", 100),
		testworld.Miss("g-8", at("2014-01-31 00:00:50+08"), "e3", "u5"),
		testworld.Miss("g-9", at("2014-01-31 00:01:00+08"), "e3", "u6"),
		testworld.Binding("b-1", at("2014-01-30 22:00:00+08"), "u1", "wechat_pay", "ICBC", "ok"),
		testworld.Binding("b-2", at("2014-01-30 22:05:00+08"), "u3", "wechat_pay", "BOHAI", "bank_not_supported"),
		testworld.Binding("b-3", at("2014-01-30 22:10:00+08"), "u4", "wechat_pay", "CCB", "ok"),
		testworld.Withdrawal("w-1", at("2014-01-31 01:00:00+08"), "u1", "wechat_pay", "ICBC", 1600),
		testworld.Payment("p-1", at("2014-01-31 02:00:00+08"), "u1", "wechat_pay", "taxi", 2300, "ICBC"),
		testworld.Payment("p-2", at("2014-01-31 02:10:00+08"), "u4", "wechat_pay", "lottery", 200, "CCB"),
		testworld.Payment("p-3", at("2014-01-31 02:20:00+08"), "u9", "alipay", "ecommerce", 9900, "CMB"),
		testworld.Link("l-1", at("2014-01-30 23:00:00+08"), "u8", "g1", "http://fake.example.invalid/"),
	).Commit()
	refreshWarehouse(t, dir)
	return dir
}

// refreshWarehouse builds the warehouse of dir from its lake, as 'hongbao transform'.
func refreshWarehouse(t *testing.T, dir string) { testworld.Refresh(t, transform.Open, dir) }

// openReadOnly opens the warehouse of dir read-only for one test.
func openReadOnly(t *testing.T, dir string) *sql.DB {
	return testworld.Open(t, transform.OpenReadOnly, dir).DB()
}

func TestComputeOnKnownData(t *testing.T) {
	dir := tinyLake(t)
	db := openReadOnly(t, dir)
	run := datadir.Run{Scale: 1, Windows: datadir.Default2014()}
	sh, err := Compute(context.Background(), db, run, false, "en")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"launch_date":              20140126,
		"grabs_total":              7,          // reading B: 5 claims and 2 misses, Eve 00:00 to Day 1 16:00
		"claims_per_minute_avg":    5.0 / 2400, // reading B: 5 claims over the 2,400 minutes of the window
		"peak_opens_per_minute":    2,
		"first5min_participations": 4,
		"eve_participants":         8, // u1 u3 u4 u5 u6 u7 and senders s2 s3
		"users_eve_to_day1":        6,
		"avg_envelope_yuan":        11,
		"max_claims_one_user":      3,
		"claim_size_range":         5, // median claim, yuan
		"wechat_pay_banks":         2,
		"alipay_banks":             1,
		"wechat_pay_scenarios":     2,
		"card_binding_required":    0,
		"fake_envelope_links":      1,
	}
	got := map[string]Result{}
	for _, r := range sh.Results {
		got[r.ID] = r
		if r.Error != "" {
			t.Errorf("%s: %s", r.ID, r.Error)
		}
	}
	for id, v := range want {
		r, ok := got[id]
		if !ok || r.Computed == nil {
			t.Errorf("%s: not computed", id)
			continue
		}
		if math.Abs(*r.Computed-v) > 1e-9 {
			t.Errorf("%s = %v, want %v", id, *r.Computed, v)
		}
	}
	verdicts := map[string]Verdict{
		"launch_date":                Reproduced,
		"grabs_total":                NotReproduced, // 7 attempts, not 75 million
		"peak_opens_per_minute":      NotReproduced,
		"claim_size_range":           NotReproduced, // the smallest claim is 1 yuan, not a few fen
		"card_binding_required":      Reproduced,
		"fake_envelope_links":        Reproduced,
		"mobile_payments_2012_count": NotDerivable,
		"p2p_platform_crises":        NotDerivable,
	}
	for id, v := range verdicts {
		if got[id].Verdict != v {
			t.Errorf("%s: verdict %s, want %s", id, got[id].Verdict, v)
		}
	}

	for _, id := range []string{"grabs_total", "claims_per_minute_avg"} {
		if r := got[id]; r.Reading != "B" || r.ReadingText == "" || len(r.Corroboration) == 0 || !r.Corroboration[0].Agrees || r.Corroboration[0].Source == "" {
			t.Errorf("%s: reading %q, corroboration %+v; want reading B, Tenpay's release agreeing", id, r.Reading, r.Corroboration)
		}
	}
	// At the scale where 7 attempts are the reported 75 million, the count is reproduced.
	run.Scale = 7.0 / 75_000_000
	sh, err = Compute(context.Background(), db, run, true, "zh")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range sh.Results {
		if r.ID == "grabs_total" && r.Verdict != Reproduced {
			t.Errorf("grabs_total at scale %g: %s (expected %v, computed %v)", run.Scale, r.Verdict, r.Expected, *r.Computed)
		}
	}
	// Consistency note 2 from the data: 4 attempts, 2 claims, 2 misses.
	c2 := sh.Checks[1].Values
	if c2["attempts_first5min"] != 4 || c2["claims_first5min"] != 2 || c2["misses_first5min"] != 2 {
		t.Errorf("note 2 values %v", c2)
	}
}

// TestComputeReadingA judges the same data by reading A, as data made by the
// calibration 2014-since-launch would be: the totals are claims since the launch.
func TestComputeReadingA(t *testing.T) {
	dir := tinyLake(t)
	db := openReadOnly(t, dir)
	w := datadir.Default2014()
	w.Launch, w.FiguresFrom = testworld.TS("2014-01-26 03:11:00+08"), time.Time{}
	sh, err := Compute(context.Background(), db, datadir.Run{Scale: 1, Reading: "A", Windows: w}, true, "en")
	if err != nil {
		t.Fatal(err)
	}
	if sh.Reading != "A" {
		t.Errorf("sheet reading %q, want A", sh.Reading)
	}
	want := map[string]float64{"grabs_total": 7, "claims_per_minute_avg": 7.0 / 7969}
	for _, r := range sh.Results {
		v, ok := want[r.ID]
		if !ok {
			continue
		}
		if r.Computed == nil || math.Abs(*r.Computed-v) > 1e-9 {
			t.Errorf("reading A: %s = %v, want %v", r.ID, r.Computed, v)
		}
		if r.Reading != "A" || len(r.Corroboration) == 0 || r.Corroboration[0].Agrees {
			t.Errorf("reading A: %s judged by %q; Tenpay's release must contradict it: %+v", r.ID, r.Reading, r.Corroboration)
		}
	}
}

func TestEveryRegistryFactIsListed(t *testing.T) {
	dir := tinyLake(t)
	db := openReadOnly(t, dir)
	sh, err := Compute(context.Background(), db, datadir.Run{Scale: 1, Windows: datadir.Default2014()}, false, "en")
	if err != nil {
		t.Fatal(err)
	}
	if len(sh.Results) != 21 {
		t.Errorf("%d facts, want the 21 of FACTS.md", len(sh.Results))
	}
	for _, f := range []string{"table", "markdown", "csv", "json"} {
		var b stringsBuilder
		if err := sh.Write(&b, f, true); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if b.n == 0 {
			t.Errorf("%s: empty output", f)
		}
	}
}

type stringsBuilder struct{ n int }

func (b *stringsBuilder) Write(p []byte) (int, error) { b.n += len(p); return len(p), nil }

// ReadingOf: the record's reading; reading A for a record written before readings were
// recorded; none for another year's world; the default without a record.
func TestReadingOf(t *testing.T) {
	old := datadir.Default2014()
	old.FiguresFrom = time.Time{}
	y2016 := datadir.Default2014()
	y2016.EveStart = testworld.TS("2016-02-07 00:00:00+08")
	for _, c := range []struct {
		run  datadir.Run
		want string
	}{
		{datadir.Run{Reading: "A", Windows: datadir.Default2014()}, "A"},
		{datadir.Run{Windows: datadir.Default2014()}, "B"},
		{datadir.Run{Windows: old, Written: time.Now()}, "A"},
		{datadir.Run{Windows: y2016, Written: time.Now()}, ""},
	} {
		if got := ReadingOf(c.run); got != c.want {
			t.Errorf("ReadingOf(%+v) = %q, want %q", c.run, got, c.want)
		}
	}
}
