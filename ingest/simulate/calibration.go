package simulate

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/internal/datadir"
)

// builtinFiles holds the built-in calibrations, one JSON file each, named after the
// calibration (2014, 2014-since-launch, 2016).
//
//go:embed calibrations/*.json
var builtinFiles embed.FS

// DefaultName is the calibration the simulator replays when none is named.
const DefaultName = "2014"

// DefaultCalibrationJSON returns the embedded default calibration file, for users to copy.
func DefaultCalibrationJSON() []byte {
	b, _ := BuiltinJSON(DefaultName)
	return b
}

// BuiltinJSON returns the file of a built-in calibration; ok is false for an unknown name.
func BuiltinJSON(name string) (b []byte, ok bool) {
	b, err := builtinFiles.ReadFile("calibrations/" + name + ".json")
	return b, err == nil
}

// Builtins returns the built-in calibrations, in order of name.
func Builtins() []*Calibration {
	ents, _ := fs.ReadDir(builtinFiles, "calibrations")
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	slices.Sort(names)
	out := make([]*Calibration, 0, len(names))
	for _, n := range names {
		out = append(out, mustBuiltin(n))
	}
	return out
}

func mustBuiltin(name string) *Calibration {
	b, ok := BuiltinJSON(name)
	if !ok {
		panic("simulate: no built-in calibration " + name)
	}
	c, err := ParseCalibration(b)
	if err != nil {
		panic("simulate: built-in calibration " + name + ": " + err.Error())
	}
	if c.Name != name {
		panic("simulate: built-in calibration file " + name + ".json names itself " + c.Name)
	}
	return c
}

// Calibration is everything the simulator needs to replay a festival: the window, the
// reported figures it must reproduce (Targets) and the parameters the source does not
// give (Assumptions). It is read from a JSON file; see calibrations/2014.json.
type Calibration struct {
	// Name is how the calibration is chosen (--calibration 2014) and recorded in the
	// run record.
	Name string `json:"name"`
	// Title is one line saying what the calibration models, for --list-calibrations.
	Title string `json:"title"`
	// Reading names the reading of the reported figures the calibration follows
	// ("B": one window Eve 00:00 → Day 1 16:00; "A": claims since launch), which the
	// facts sheet judges the data by; empty for a world the facts registry does not
	// describe (another year).
	Reading       string      `json:"reading,omitempty"`
	About         string      `json:"about"`
	TZOffsetHours int         `json:"timezone_offset_hours"`
	Window        Window      `json:"window"`
	Targets       Targets     `json:"targets"`
	Assumptions   Assumptions `json:"assumptions"`
	// Scenarios, if given, replace the reference data's payment-scenario weights.
	Scenarios      *Scenarios `json:"scenarios,omitempty"`
	loadedFromPath string
}

// Window holds the instants that bound the simulation and the named sub-windows the
// reported figures refer to.
type Window struct {
	About         string    `json:"about"`
	Start         time.Time `json:"start"`           // first simulated minute (launch)
	End           time.Time `json:"end"`             // end of the window, exclusive
	EveStart      time.Time `json:"eve_start"`       // 除夕 00:00
	EveNightStart time.Time `json:"eve_night_start"` // 除夕夜: the evening of Eve
	EveNightEnd   time.Time `json:"eve_night_end"`
	PeakMinute    time.Time `json:"peak_minute"` // the busiest minute
	// FiguresFrom starts the window the claim and attempt totals refer to, which
	// ends at End; empty means Start (the whole simulated period).
	FiguresFrom time.Time `json:"figures_from,omitzero"`
}

// record is w as the run record keeps it.
func (w Window) record() datadir.Windows {
	return datadir.Windows{Launch: w.Start, End: w.End, EveStart: w.EveStart, EveNightStart: w.EveNightStart,
		EveNightEnd: w.EveNightEnd, PeakMinute: w.PeakMinute, FiguresFrom: w.FiguresFrom}
}

// Figures is the start of the window the totals refer to.
func (w Window) Figures() time.Time {
	if w.FiguresFrom.IsZero() {
		return w.Start
	}
	return w.FiguresFrom
}

// Targets are reported figures, at scale 1.
type Targets struct {
	About       string `json:"about"`
	ClaimsTotal int64  `json:"claims_total"` // successful claims from window.figures_from to window.end
	// AttemptsTotal, if set, is the grab attempts (claims and misses) over the same
	// window; the misses per claim are then solved, not assumed.
	AttemptsTotal int64 `json:"attempts_total,omitempty"`
	// SentAndReceived and PeakPerSecond, if set, are a year's records counted as
	// envelopes sent plus envelopes received (收发): the claim total and the peak
	// minute's claims are derived from them with the expected claims per envelope.
	SentAndReceived int64 `json:"sent_and_received,omitempty"`
	PeakPerSecond   int64 `json:"peak_sent_and_received_per_second,omitempty"`
	// Assumed names the targets the records do not give: they are assumptions,
	// labelled so, that the population model needs.
	Assumed           []string `json:"assumed,omitempty"`
	PeakClaims        int64    `json:"peak_claims_per_minute"` // claims in the peak minute
	First5MinAttempts int64    `json:"first5min_attempts"`     // grab attempts in the 5 minutes from the peak
	MeanEnvelopeFen   int64    `json:"mean_envelope_fen"`      // mean envelope total
	UsersEveToDay1    int64    `json:"users_eve_to_day1"`      // distinct grabbers, Eve 00:00 to the end
	EveParticipants   int64    `json:"eve_participants"`       // distinct senders or grabbers on Eve night
	MaxClaimsOneUser  int64    `json:"max_claims_one_user"`    // heaviest grabber, up to the end of Eve night
}

// Assumptions are the parameters the source is silent on.
type Assumptions struct {
	About string `json:"about"`
	// Adoption is the share of the population that has started using red envelopes,
	// as [instant, share] points joined by straight lines. Users join in order of
	// activity (the most active first). It must reach 1 by window.eve_start: the user
	// figures are solved for the whole population from Eve on.
	Adoption          []AdoptionPoint    `json:"adoption"`
	HourWeights       []float64          `json:"hour_weights"` // activity by local hour, 24 values
	DayWeights        map[string]float64 `json:"day_weights"`  // activity by local date
	EveBoost          Boost              `json:"eve_boost"`
	SpikeRampMinutes  float64            `json:"spike_ramp_minutes"`   // rise of the midnight spike
	SpikeDecayMinutes float64            `json:"spike_decay_minutes"`  // decay after the peak minute
	MissRatioBase     float64            `json:"miss_ratio_base"`      // misses per claim at quiet times
	MissRatioExponent float64            `json:"miss_ratio_exponent"`  // how fast misses grow with load
	LuckyShare        float64            `json:"lucky_share"`          // share of envelopes split at random
	LuckyShares       map[string]float64 `json:"lucky_shares"`         // share count → weight, lucky envelopes
	FixedShares       map[string]float64 `json:"fixed_shares"`         // share count → weight, fixed envelopes
	TotalSigma        float64            `json:"envelope_total_sigma"` // log-normal spread of envelope totals
	FullyClaimed      float64            `json:"fully_claimed"`        // chance an envelope is emptied
	// HeavyDrawShare is refused: the heavy share is solved from the user figures
	// (SolvePopulation). Earlier built-in files carried it, unread.
	HeavyDrawShare    *float64 `json:"heavy_draw_share,omitempty"`
	BindAfterClaim    float64  `json:"bind_after_first_claim"`
	BindDelayMinutes  float64  `json:"bind_delay_minutes"`
	RetryOtherCard    float64  `json:"retry_other_card"`
	AlipayBindRate    float64  `json:"alipay_bind_rate"`
	WithdrawAfterBind float64  `json:"withdraw_after_bind"`
	WithdrawDelayMin  float64  `json:"withdraw_delay_minutes"`
	PaymentsWeChat    float64  `json:"payments_per_minute_wechat"`
	PaymentsAlipay    float64  `json:"payments_per_minute_alipay"`
	FakeLinkRate      float64  `json:"fake_link_per_envelope"`
}

// AdoptionPoint is one point of the adoption curve: by At, Share of the population
// has joined. It reads from JSON as ["2014-01-27T00:00:00+08:00", 0.2].
type AdoptionPoint struct {
	At    time.Time
	Share float64
}

// UnmarshalJSON reads the point from a two-element array.
func (p *AdoptionPoint) UnmarshalJSON(b []byte) error {
	var raw [2]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("an adoption point is [\"RFC 3339 time\", share]: %w", err)
	}
	if err := json.Unmarshal(raw[0], &p.At); err != nil {
		return fmt.Errorf("adoption point time: %w", err)
	}
	return json.Unmarshal(raw[1], &p.Share)
}

// MarshalJSON writes the point as a two-element array.
func (p AdoptionPoint) MarshalJSON() ([]byte, error) {
	return json.Marshal([]any{p.At.Format(time.RFC3339), p.Share})
}

// adoptedShare is the adoption curve at t: 1 when the curve is empty, the first
// point's share before it, the last point's share after it.
func (a Assumptions) adoptedShare(t time.Time) float64 {
	pts := a.Adoption
	if len(pts) == 0 {
		return 1
	}
	if !t.After(pts[0].At) {
		return pts[0].Share
	}
	for i := 1; i < len(pts); i++ {
		if t.Before(pts[i].At) {
			f := float64(t.Sub(pts[i-1].At)) / float64(pts[i].At.Sub(pts[i-1].At))
			return pts[i-1].Share + f*(pts[i].Share-pts[i-1].Share)
		}
	}
	return pts[len(pts)-1].Share
}

// Boost multiplies activity between From and To.
type Boost struct {
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Factor float64   `json:"factor"`
}

// Scenarios weight the payment scenarios of each provider.
type Scenarios struct {
	WeChatPay map[string]float64 `json:"wechat_pay"`
	Alipay    map[string]float64 `json:"alipay"`
}

// DefaultCalibration is the built-in calibration DefaultName.
func DefaultCalibration() *Calibration { return mustBuiltin(DefaultName) }

// LoadCalibration gives a built-in calibration by name ("2014", "2014-since-launch",
// "2016") or reads a calibration file; empty gives the default.
func LoadCalibration(path string) (*Calibration, error) {
	if path == "" {
		return DefaultCalibration(), nil
	}
	if _, ok := BuiltinJSON(path); ok && !strings.ContainsAny(path, `/\.`) {
		return mustBuiltin(path), nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read calibration: %w", err)
	}
	c, err := ParseCalibration(b)
	if err != nil {
		return nil, fmt.Errorf("calibration %s: %w", path, err)
	}
	c.loadedFromPath = path
	return c, nil
}

// ParseCalibration decodes and checks a calibration document.
func ParseCalibration(b []byte) (*Calibration, error) {
	var c Calibration
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	c.derive()
	if err := c.check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Source names where the calibration came from, for reports.
func (c *Calibration) Source() string {
	if c.loadedFromPath != "" {
		return c.loadedFromPath
	}
	return "built-in calibration " + c.Name
}

// Location is the local time zone of the calibration (CST for 2014).
func (c *Calibration) Location() *time.Location {
	return time.FixedZone(fmt.Sprintf("UTC%+d", c.TZOffsetHours), c.TZOffsetHours*3600)
}

// derive turns sent-and-received records into the claim targets the curve is solved
// for: an envelope gets meanClaimed claims on average, so claims are meanClaimed /
// (meanClaimed + 1) of sends plus claims.
func (c *Calibration) derive() {
	t := &c.Targets
	if t.SentAndReceived <= 0 && t.PeakPerSecond <= 0 {
		return
	}
	a := c.Assumptions
	if len(a.LuckyShares) == 0 || len(a.FixedShares) == 0 {
		return // check says so
	}
	m, _ := claimedShares(a, shareCounts(a.LuckyShares), shareCounts(a.FixedShares))
	f := m / (m + 1)
	if t.SentAndReceived > 0 {
		t.ClaimsTotal = int64(math.Round(float64(t.SentAndReceived) * f))
	}
	if t.PeakPerSecond > 0 {
		t.PeakClaims = int64(math.Round(float64(t.PeakPerSecond) * 60 * f))
	}
}

func (c *Calibration) check() error {
	w := c.Window
	// The windows go into the run record as they are, and the record's reader holds
	// them to the same rules.
	if err := w.record().Check(); err != nil {
		return fmt.Errorf("window: %w (the run record calls window.start launch)", err)
	}
	switch {
	case len(c.Assumptions.HourWeights) != 24:
		return fmt.Errorf("assumptions.hour_weights needs 24 values, has %d", len(c.Assumptions.HourWeights))
	case c.Targets.ClaimsTotal <= 0 || c.Targets.PeakClaims <= 0:
		return fmt.Errorf("targets.claims_total and targets.peak_claims_per_minute must be positive")
	case c.Targets.MeanEnvelopeFen <= 0:
		return fmt.Errorf("targets.mean_envelope_fen must be positive")
	case c.Assumptions.adoptedShare(w.EveStart) < 1:
		return fmt.Errorf("assumptions.adoption must reach 1 by window.eve_start (%s): the user figures are solved for the whole population from Eve on", w.EveStart.Format(time.RFC3339))
	case len(c.Assumptions.LuckyShares) == 0 || len(c.Assumptions.FixedShares) == 0:
		return fmt.Errorf("assumptions.lucky_shares and fixed_shares must not be empty")
	}
	for i, p := range c.Assumptions.Adoption {
		if p.Share <= 0 || p.Share > 1 {
			return fmt.Errorf("assumptions.adoption point %d: share %g must be above 0 and at most 1", i+1, p.Share)
		}
		if i > 0 && (!p.At.After(c.Assumptions.Adoption[i-1].At) || p.Share < c.Assumptions.Adoption[i-1].Share) {
			return fmt.Errorf("assumptions.adoption point %d must come after the one before it and not fall", i+1)
		}
	}
	for _, m := range []map[string]float64{c.Assumptions.LuckyShares, c.Assumptions.FixedShares} {
		for k := range m {
			n, err := strconv.Atoi(k)
			if err != nil || n < 1 || n > 100 {
				return fmt.Errorf("share count %q must be a whole number from 1 to 100", k)
			}
		}
	}
	if err := c.checkValues(); err != nil {
		return err
	}
	// An envelope holds at most 200 yuan a share, so the mean envelope cannot pass the
	// mean share count times that: a target above it is never met, however long it runs.
	a := c.Assumptions
	shares := a.LuckyShare*meanOf(shareCounts(a.LuckyShares)) + (1-a.LuckyShare)*meanOf(shareCounts(a.FixedShares))
	if most := shares * events.MaxClaimFen; float64(c.Targets.MeanEnvelopeFen) > most {
		return fmt.Errorf("targets.mean_envelope_fen %d cannot be met: an envelope holds at most 200 yuan a share, and the share counts of assumptions.lucky_shares and fixed_shares average %.2f, so envelopes average at most %.0f fen",
			c.Targets.MeanEnvelopeFen, shares, most)
	}
	return nil
}

// meanOf is the mean of a distribution of share counts.
func meanOf(w weighted[int]) float64 {
	mean, prev := 0.0, 0.0
	for i, n := range w.values {
		mean += (w.cum[i] - prev) * float64(n)
		prev = w.cum[i]
	}
	return mean
}

// checkValues refuses an assumption outside the values it can take: a chance outside 0
// to 1, a negative rate, spread, delay or weight, a table of weights that are all 0,
// and a time zone no place has. The simulator would otherwise run on, and make data
// that follows no reading of anything.
func (c *Calibration) checkValues() error {
	a := c.Assumptions
	if a.HeavyDrawShare != nil {
		return fmt.Errorf("assumptions.heavy_draw_share is not an assumption the simulator reads: it solves the heavy share from targets.users_eve_to_day1, eve_participants and max_claims_one_user (docs/CALIBRATION.md); remove the line")
	}
	if c.TZOffsetHours < -12 || c.TZOffsetHours > 14 {
		return fmt.Errorf("timezone_offset_hours %d must be from -12 to 14", c.TZOffsetHours)
	}
	type value struct {
		name string
		v    float64
	}
	for _, v := range []value{
		{"lucky_share", a.LuckyShare}, {"fully_claimed", a.FullyClaimed},
		{"bind_after_first_claim", a.BindAfterClaim}, {"retry_other_card", a.RetryOtherCard},
		{"alipay_bind_rate", a.AlipayBindRate}, {"withdraw_after_bind", a.WithdrawAfterBind},
		{"fake_link_per_envelope", a.FakeLinkRate},
	} {
		if v.v < 0 || v.v > 1 {
			return fmt.Errorf("assumptions.%s is a chance: %g must be from 0 to 1", v.name, v.v)
		}
	}
	for _, v := range []value{
		{"envelope_total_sigma", a.TotalSigma}, {"miss_ratio_base", a.MissRatioBase},
		{"bind_delay_minutes", a.BindDelayMinutes}, {"withdraw_delay_minutes", a.WithdrawDelayMin},
		{"payments_per_minute_wechat", a.PaymentsWeChat}, {"payments_per_minute_alipay", a.PaymentsAlipay},
		{"eve_boost.factor", a.EveBoost.Factor},
	} {
		if v.v < 0 {
			return fmt.Errorf("assumptions.%s %g must not be negative", v.name, v.v)
		}
	}
	if a.SpikeRampMinutes <= 0 || a.SpikeDecayMinutes <= 0 {
		return fmt.Errorf("assumptions.spike_ramp_minutes and spike_decay_minutes must be above 0 (they are %g and %g)", a.SpikeRampMinutes, a.SpikeDecayMinutes)
	}
	hours := map[string]float64{}
	for i, w := range a.HourWeights {
		hours[strconv.Itoa(i)] = w
	}
	for _, t := range []struct {
		name string
		m    map[string]float64
	}{
		{"hour_weights", hours}, {"day_weights", a.DayWeights}, {"lucky_shares", a.LuckyShares}, {"fixed_shares", a.FixedShares},
	} {
		if err := checkWeights("assumptions."+t.name, t.m); err != nil {
			return err
		}
	}
	if s := c.Scenarios; s != nil {
		if err := checkWeights("scenarios.wechat_pay", s.WeChatPay); err != nil {
			return err
		}
		if err := checkWeights("scenarios.alipay", s.Alipay); err != nil {
			return err
		}
	}
	return nil
}

// checkWeights refuses a table of weights with a negative one, or with none above 0.
func checkWeights(name string, m map[string]float64) error {
	total := 0.0
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] < 0 {
			return fmt.Errorf("%s: the weight of %s, %g, must not be negative", name, k, m[k])
		}
		total += m[k]
	}
	if total <= 0 {
		return fmt.Errorf("%s: at least one weight must be above 0", name)
	}
	return nil
}

// weighted is a discrete distribution over values of type T, in a fixed order so
// that a seed always maps to the same draws.
type weighted[T any] struct {
	values []T
	cum    []float64 // cumulative weights, normalised to end at 1
}

func newWeighted[T any](values []T, weight func(T) float64) weighted[T] {
	w := weighted[T]{values: values}
	total := 0.0
	for _, v := range values {
		total += weight(v)
	}
	acc := 0.0
	for _, v := range values {
		acc += weight(v) / total
		w.cum = append(w.cum, acc)
	}
	if len(w.cum) > 0 {
		w.cum[len(w.cum)-1] = 1
	}
	return w
}

// shareCounts is the distribution of share counts of a weight table ("3": 18, ...).
func shareCounts(m map[string]float64) weighted[int] {
	keys := make([]int, 0, len(m))
	for k := range m {
		n, _ := strconv.Atoi(k)
		keys = append(keys, n)
	}
	slices.Sort(keys)
	return newWeighted(keys, func(n int) float64 { return m[strconv.Itoa(n)] })
}

// names is the distribution of the names of a weight table, in sorted order.
func names(m map[string]float64) weighted[string] {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return newWeighted(keys, func(k string) float64 { return m[k] })
}

func (w weighted[T]) pick(u float64) T {
	i, _ := slices.BinarySearch(w.cum, u)
	if i >= len(w.values) {
		i = len(w.values) - 1
	}
	return w.values[i]
}
