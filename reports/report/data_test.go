package report

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
	"github.com/hongbao/hongbao/transform/facts"
)

// update rewrites the expected data in testdata/ from the current code:
// go test ./reports/report -run Data -update. Check the diff by hand: the
// files are the expected values, worked out from the festival world (testworld.Festival).
var update = flag.Bool("update", false, "rewrite testdata/*.json from the current results")

// golden compares got, as JSON, with testdata/name.json; numbers must agree
// to 1e-9 relative.
func golden(t *testing.T, name string, got any) {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(got); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	want := testworld.Golden(t, path, b, *update)
	var g, w any
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, d := range diff("", w, g) {
		t.Errorf("%s: %s", path, d)
	}
}

// diff lists where got differs from want.
func diff(at string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s: got %v, want an object", at, got)}
		}
		var out []string
		for k, wv := range w {
			out = append(out, diff(at+"."+k, wv, g[k])...)
		}
		for k, gv := range g {
			if _, ok := w[k]; !ok {
				out = append(out, fmt.Sprintf("%s.%s: unexpected %v", at, k, gv))
			}
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s: got %d items, want %d", at, len(g), len(w))}
		}
		var out []string
		for i := range w {
			out = append(out, diff(fmt.Sprintf("%s[%d]", at, i), w[i], g[i])...)
		}
		return out
	case float64:
		g, ok := got.(float64)
		if !ok || math.Abs(g-w) > 1e-9*math.Max(1, math.Abs(w)) {
			return []string{fmt.Sprintf("%s: got %v, want %v", at, got, w)}
		}
		return nil
	default:
		if want != got {
			return []string{fmt.Sprintf("%s: got %v, want %v", at, got, want)}
		}
		return nil
	}
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

// at returns a China Standard Time instant of January 2014.
func at(day, hour, min int) time.Time {
	return time.Date(2014, 1, day, hour, min, 0, 0, locale.Zone)
}

// testSource reads the run and the facts sheet of the test warehouse, as collect does
// before the sections.
func testSource(t *testing.T) *source {
	t.Helper()
	return sourceOf(t, openTest(t), datadir.Dir(testWarehouse(t)))
}

// sourceOf reads the run and the facts sheet of db, the warehouse of data folder dir.
func sourceOf(t *testing.T, db *sql.DB, dir datadir.Dir) *source {
	t.Helper()
	src, err := newSource(context.Background(), db, dir)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestRunInfo(t *testing.T) {
	ri, err := runInfo(context.Background(), openTest(t), datadir.Dir(testWarehouse(t)))
	if err != nil {
		t.Fatal(err)
	}
	if ri.Claims != 12 || !near(ri.Scale, 12.0/75_000_000) || ri.ScaleSource != "claims / 75,000,000" {
		t.Errorf("claims %d, scale %v (%s); want 12, 12/75,000,000 from the claims", ri.Claims, ri.Scale, ri.ScaleSource)
	}
	if ri.Seed != "2014" || ri.SeedSource != "event ids" {
		t.Errorf("seed %q from %q, want 2014 from the event ids s1jy-…", ri.Seed, ri.SeedSource)
	}
	if !ri.First.Equal(at(26, 10, 0).Add(5*time.Second)) || !ri.Last.Equal(at(31, 15, 59)) {
		t.Errorf("window %v → %v", ri.First, ri.Last)
	}
	want := map[string]int64{"envelopes": 5, "grabs": 16, "card_bindings": 8, "withdrawals": 3, "payments": 6, "links": 4, "quarantine": 0}
	for k, v := range want {
		if ri.Rows[k] != v {
			t.Errorf("rows of %s = %d, want %d", k, ri.Rows[k], v)
		}
	}
}

// sectionData runs one section's data function on the test warehouse.
func sectionData[T any](t *testing.T, data func(context.Context, *source) (T, error)) T {
	t.Helper()
	d, err := data(context.Background(), testSource(t))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestHeadlineData(t *testing.T) {
	d := sectionData(t, headlineData)
	// Worked out by hand from warehouse_test.go.
	want := map[string]float64{
		"eve_participants":         8,           // grabbers u1–u7 and sender u8, Eve 20:00 → 02:00
		"users_eve_to_day1":        7,           // grabbers u1–u7, Eve 00:00 → Day 1 16:00
		"grabs_total":              13,          // attempts, claims and misses, Eve 00:00 → Day 1 16:00 (reading B)
		"claims_per_minute_avg":    10.0 / 2400, // the 10 claims of Eve 00:00 → Day 1 16:00 over its 2,400 minutes
		"peak_opens_per_minute":    3,           // 00:00 on Day 1
		"first5min_participations": 7,           // attempts 00:00–00:05
		"avg_envelope_yuan":        5.575,       // (800+250+600+580)/4 fen, envelopes before 02:00
		"max_claims_one_user":      3,           // u1, up to 02:00
	}
	if len(d.Rows) != len(want) {
		t.Fatalf("%d rows, want %d", len(d.Rows), len(want))
	}
	for _, r := range d.Rows {
		if w, ok := want[r.ID]; !ok || !near(r.Computed, w) {
			t.Errorf("%s computed = %v, want %v", r.ID, r.Computed, w)
		}
	}
	if !d.PeakMinute.Equal(at(31, 0, 0)) {
		t.Errorf("peak minute %v", d.PeakMinute)
	}
	golden(t, "headline", d)
}

func TestPeakData(t *testing.T) {
	d := sectionData(t, peakData)
	if len(d.Minutes) != 120 || !d.Minutes[0].T.Equal(at(30, 23, 0)) {
		t.Fatalf("%d minutes from %v, want 120 from Eve 23:00", len(d.Minutes), d.Minutes[0].T)
	}
	if m := d.Minutes[60]; m.Claims != 3 || m.Attempts != 5 {
		t.Errorf("00:00 has %d claims, %d attempts; want 3, 5", m.Claims, m.Attempts)
	}
	if d.Peak != (Count{T: at(31, 0, 0), Claims: 3, Attempts: 5}) {
		t.Errorf("peak %+v", d.Peak)
	}
	if d.First5Attempts != 7 || d.First5Claims != 4 {
		t.Errorf("first five minutes: %d attempts, %d claims; want 7, 4", d.First5Attempts, d.First5Claims)
	}
	// 126 hours from 26th 10:00 to 31st 16:00; the 00:00 hour holds 5 claims and 8 attempts.
	if len(d.Hours) != 126 || d.Hours[110] != (Count{T: at(31, 0, 0), Claims: 5, Attempts: 8}) {
		t.Errorf("%d hours, hour 110 = %+v", len(d.Hours), d.Hours[min(110, len(d.Hours)-1)])
	}
	if !near(d.ExpectedPeak, 25000*d.Scale) || !near(d.ExpectedHourly, 9412*60*d.Scale) {
		t.Errorf("reference lines %v, %v", d.ExpectedPeak, d.ExpectedHourly)
	}
	golden(t, "peak", d)
}

func TestAdoptionData(t *testing.T) {
	d := sectionData(t, adoptionData)
	var funnel []int64
	for _, s := range d.Funnel {
		funnel = append(funnel, s.Users)
	}
	// Claimers u1–u5, u7; of them u1–u4 tried WeChat Pay, u1–u3 bound, u1 and u3 withdrew.
	if fmt.Sprint(funnel) != "[6 4 3 2]" {
		t.Errorf("funnel %v, want [6 4 3 2]", funnel)
	}
	if last := d.Hours[len(d.Hours)-1]; last.WeChatPay != 4 || last.Alipay != 1 {
		t.Errorf("cumulative users at the end: %+v, want 4 WeChat Pay, 1 Alipay", last)
	}
	if len(d.Days) != 6 || d.Days[0].WeChatPay != 2 || d.Days[5].WeChatPay != 2 || d.Days[5].Alipay != 1 {
		t.Errorf("days %+v", d.Days)
	}
	wp := d.Providers[0]
	if wp.BindAttempts != 6 || wp.BindOK != 4 || wp.BindRejected != 2 || wp.Payments != 3 || wp.PaymentFen != 3500 || wp.WithdrawalFen != 560 {
		t.Errorf("WeChat Pay totals %+v", wp)
	}
	golden(t, "adoption", d)
}

func TestBankData(t *testing.T) {
	d := sectionData(t, bankData)
	if d.TableSource != "warehouse" || len(d.Banks) != 5 || d.Banks[2].Code != "HXB" {
		t.Fatalf("bank table from %s: %+v; want the 5 banks of DIR/banks.csv, largest first", d.TableSource, d.Banks)
	}
	if d.WeChatPayBanks != 3 || d.AlipayBanks != 4 || !near(d.AssumedWeChatPay, 0.8) || !near(d.AssumedAlipay, 0.95) {
		t.Errorf("coverage: WeChat Pay %d banks %v, Alipay %d banks %v", d.WeChatPayBanks, d.AssumedWeChatPay, d.AlipayBanks, d.AssumedAlipay)
	}
	// WeChat Pay: u1, u2, u3, u4, u9 tried; u1, u3, u9 succeeded first; u4 lost, u2 recovered.
	if wp := d.Providers[0]; wp != (BindingOutcome{Provider: wechatPay, Users: 5, FirstOK: 3, Rejected: 2, LostUsers: 1, Recovered: 1}) {
		t.Errorf("WeChat Pay bindings %+v", wp)
	}
	if len(d.LostByBank) != 1 || d.LostByBank[0].Code != "HXB" || d.LostByBank[0].Rejected != 2 || d.LostByBank[0].NameEN != "Hua Xia Bank" {
		t.Errorf("lost by bank %+v", d.LostByBank)
	}
	// First cards: HXB 3 users, ICBC 2, ABC 1, DBS 1.
	for i, w := range []float64{0.4, 0.7, 0.85, 0.95, 1} {
		if c := d.Curve[i]; !near(c.Assumed, w) || !near(c.Observed, []float64{3.0 / 7, 5.0 / 7, 6.0 / 7, 1, 1}[i]) {
			t.Errorf("curve[%d] = %+v", i, c)
		}
	}
	// Flatter: shares^(2/3) rescaled, so the largest bank holds less.
	if f := d.Curve[0].Flatter; !near(f, math.Pow(0.4, 2.0/3)/(math.Pow(0.4, 2.0/3)+math.Pow(0.3, 2.0/3)+math.Pow(0.15, 2.0/3)+math.Pow(0.1, 2.0/3)+math.Pow(0.05, 2.0/3))) {
		t.Errorf("flatter share of the largest bank = %v", f)
	}
	golden(t, "banks", d)
}

func TestScenarioData(t *testing.T) {
	d := sectionData(t, scenarioData)
	found := map[string]Scenario{}
	for _, s := range d.Scenarios {
		found[s.Provider+"/"+s.Code] = s
	}
	for key, w := range map[string]struct {
		n     int64
		share float64
	}{
		"wechat_pay/hongbao_send": {2, 2.0 / 3}, "wechat_pay/taxi": {1, 1.0 / 3}, "wechat_pay/lottery": {0, 0},
		"alipay/ecommerce": {2, 2.0 / 3}, "alipay/mystery": {1, 1.0 / 3},
	} {
		if s := found[key]; s.Payments != w.n || !near(s.Share, w.share) {
			t.Errorf("%s: %d payments, share %v; want %d, %v", key, s.Payments, s.Share, w.n, w.share)
		}
	}
	if s := found["alipay/mystery"]; s.Source != "data" || s.NameEN != "mystery" {
		t.Errorf("a scenario only the data knows: %+v", s)
	}
	if d.ReportedWeChatPay != 10 || len(d.Market) != 2 || d.Market[0].Year != 2012 || !d.Market[1].Forecast {
		t.Errorf("reported: %v scenarios, market %+v", d.ReportedWeChatPay, d.Market)
	}
	// The golden keeps what the charts plot: provider, code, counts and shares.
	type plotted struct {
		Provider, Code string
		Payments, Fen  int64
		Share          float64
	}
	var rows []plotted
	for _, s := range d.Scenarios {
		rows = append(rows, plotted{s.Provider, s.Code, s.Payments, s.Fen, s.Share})
	}
	golden(t, "scenarios", struct {
		Scenarios []plotted
		Market    []MarketYear
	}{rows, d.Market})
}

func TestRiskData(t *testing.T) {
	d := sectionData(t, riskData)
	// weixin.qq.com is WeChat's own host; the other three links are not.
	if d.Links != 4 || d.OffWeChat != 3 || d.Hosts != 3 || d.Sharers != 3 || d.Chats != 3 || !near(d.PerThousand, 800) {
		t.Errorf("links %+v", d)
	}
	var perDay []int64
	for _, c := range d.Days {
		perDay = append(perDay, c.N)
	}
	if fmt.Sprint(perDay) != "[0 1 0 0 2 1]" || !d.Days[0].Day.Equal(at(26, 0, 0)) {
		t.Errorf("links per day %v from %v, want [0 1 0 0 2 1] from the 26th", perDay, d.Days[0].Day)
	}
	golden(t, "risk", d)
}

func TestMethodData(t *testing.T) {
	d := sectionData(t, methodData)
	want := map[int]map[string]float64{
		// Eve 00:00 → Day 1 16:00 holds every claim but the two on the 26th.
		1: {"claims": 12, "minutes_since_first_claim": 7560, "claims_eve_to_day1": 10, "eve_to_day1_minutes": 2400, "peak_claims_per_minute": 3},
		2: {"attempts_first5min": 7, "claims_first5min": 4, "misses_first5min": 3, "peak_minute_claims": 3, "attempts_per_minute_over_peak": 7.0 / 5 / 3},
		// Envelopes before 02:00 hold 2,230 fen over 4; shares 3+2+4+3+1 over 5; claims of 20 to 500 fen, median (100+150)/2.
		3: {"mean_envelope_yuan": 5.575, "mean_shares": 2.6, "median_claim_yuan": 1.25, "min_claim_fen": 20, "max_claim_yuan": 5},
	}
	if len(d.Checks) != 3 {
		t.Fatalf("%d checks, want 3", len(d.Checks))
	}
	for _, c := range d.Checks {
		for k, w := range want[c.ID] {
			if v, ok := c.Values[k]; !ok || !near(v, w) {
				t.Errorf("note %d: %s = %v, want %v", c.ID, k, v, w)
			}
		}
		if c.ComputedEN == "" || c.ComputedZH == "" {
			t.Errorf("note %d has no wording: %+v", c.ID, c)
		}
	}
	golden(t, "method", d)
}

// TestRunRecord reads scale, seed and the record grabber's expectation from
// DIR/run.json, as the simulator leaves it.
func TestRunRecord(t *testing.T) {
	// The record sits in a folder of its own, so the shared warehouse is
	// read where it was built (its views name that folder's lake) and the
	// shared folder gains no run.json.
	dir := t.TempDir()
	run := datadir.Run{Scale: 2e-7, Seed: 7, Calibration: "test calibration", Windows: datadir.Default2014(),
		Expected: map[string]float64{"max_claims_one_user": 2}}
	if err := datadir.Dir(dir).WriteRun(run); err != nil {
		t.Fatal(err)
	}
	w, err := transform.OpenReadOnly(testWarehouse(t))
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	ri, err := runInfo(context.Background(), w.DB(), datadir.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if ri.Scale != 2e-7 || ri.ScaleSource != "run.json" || ri.Seed != "7" || ri.Calibration != "test calibration" {
		t.Errorf("run info %+v", ri)
	}
	h, err := headlineData(context.Background(), sourceOf(t, w.DB(), datadir.Dir(dir)))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range h.Rows {
		switch r.ID {
		case "grabs_total":
			if !near(r.Expected, 75_000_000*2e-7) || r.Verdict != string(facts.NotReproduced) {
				t.Errorf("claims against 15 expected: %+v", r)
			}
		case "max_claims_one_user":
			if r.Expected != 2 || r.Scaling != "model" {
				t.Errorf("heaviest grabber against the run's model: %+v", r)
			}
		}
	}
}

// TestRunRecordFarFromTheData: a run record whose windows lie far from the data (a
// 2014 festival's events with a record edited to the year 9000) still gives the peak
// and adoption sections their hours: at most a run's longest span, not one for each of
// the 61 million hours between, which had the report die out of memory.
func TestRunRecordFarFromTheData(t *testing.T) {
	dir := t.TempDir()
	w := datadir.Default2014()
	for _, p := range []*time.Time{&w.Launch, &w.End, &w.EveStart, &w.EveNightStart, &w.EveNightEnd, &w.PeakMinute, &w.FiguresFrom} {
		*p = p.AddDate(6986, 0, 0)
	}
	if err := datadir.Dir(dir).WriteRun(datadir.Run{Scale: 1, Windows: w}); err != nil {
		t.Fatal(err)
	}
	src := sourceOf(t, openTest(t), datadir.Dir(dir))
	limit := int(datadir.MaxWindow / time.Hour)
	peak, err := peakData(context.Background(), src)
	if err != nil || len(peak.Hours) > limit {
		t.Errorf("peak: %d hours, err %v; want at most %d", len(peak.Hours), err, limit)
	}
	adoption, err := adoptionData(context.Background(), src)
	if err != nil || len(adoption.Hours) > limit+24*6 {
		t.Errorf("adoption: %d hours, err %v; want at most a year past the data's start", len(adoption.Hours), err)
	}
}

// The hindsight chapter reads the later Eves from the warehouse table later_years.
func TestHindsightData(t *testing.T) {
	d := sectionData(t, hindsightData)
	if d.From != "warehouse" || len(d.Rows) != 16 {
		t.Fatalf("%d rows from %s, want the 16 of later_years from the warehouse", len(d.Rows), d.From)
	}
	if y, ok := d.find(2017, "wechat", "peak_per_second"); !ok || y.Value != 760000 || y.Source == "" {
		t.Errorf("2017 peak per second: %+v", y)
	}
	if y, _ := d.find(2015, "wechat", "sent_and_received"); y.Value != 1.01e9 || y.Window != "Eve" {
		t.Errorf("2015 on Eve: %+v (the Eve figure, not Eve to Day 5)", y)
	}
	if !near(d.Peak2014PerSecond, 25000.0/60) {
		t.Errorf("2014 peak per second %v, want 25,000/60", d.Peak2014PerSecond)
	}
}
