package simulate

import (
	"container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
	"unsafe"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/prefetch"
)

// Config chooses what to simulate.
type Config struct {
	// Calibration is the world to replay; nil means the built-in 2014 calibration.
	Calibration *Calibration
	// Banks is the card-bank table; nil means the reference data's (DefaultBanks).
	Banks []Bank
	// Scale multiplies every count (users, envelopes, payments); means stay. 1 is
	// the full festival, 0.01 the demo.
	Scale float64
	// Seed makes the run reproducible: the same seed and scale give the same events.
	Seed uint64
	// OnMinute, if set, is called after each simulated minute with the minutes done
	// and the window's length, for progress displays.
	OnMinute func(done, total int)
}

// Simulator generates the events of one run.
type Simulator struct {
	cfg   Config
	cal   *Calibration
	loc   *time.Location // cal.Location(), made once: at() runs for every event
	curve *Curve
	pop   Population
	banks *bankPicker

	luckyW, fixedW weighted[int]
	scenWeChat     weighted[string]
	scenAlipay     weighted[string]

	meanClaimed   float64 // expected claimed shares per envelope
	fullGroupFrac float64 // share of claims that fall in emptied group envelopes
	muTotal       float64 // log-normal location of envelope totals

	users      int64 // population at this scale
	grabScr    scramble
	sendScr    scramble
	chatGroups int

	rng         *rand.Rand
	prefix      string
	evSeq       uint64
	evText      []byte // prefix and textSeq in base 36 (see idText)
	textSeq     uint64
	envSeq      uint64
	ev          events.Event
	sched       schedule
	state       []userState // each user's balance, WeChat Pay card and flags
	boundU      []int32     // users with a WeChat Pay card, in binding order
	offs        []int64     // one minute's grab times
	open        []*openEnvelope
	emptied     []*openEnvelope
	emptiedNext int
	topShare    float64 // expected share of claims of the rank-0 user
	topAcc      float64
	strata      []int   // the rest of the current stratified block of totals
	adopted     float64 // share of the population that has joined, this minute
	adoptedRoot float64 // adopted^(1/Alpha), to narrow the heavy-tailed draw
}

const (
	flagClaimed uint8 = 1 << iota
	flagBindScheduled
	flagAlipay
)

// New prepares a run: it derives the per-minute curve and solves the population.
func New(cfg Config) (*Simulator, error) {
	if !(cfg.Scale > 0 && cfg.Scale <= datadir.MaxScale) {
		return nil, fmt.Errorf("scale %g must be above 0 and at most %d (1 is the full festival)", cfg.Scale, datadir.MaxScale)
	}
	cal := cfg.Calibration
	if cal == nil {
		cal = DefaultCalibration()
	}
	banks := cfg.Banks
	if banks == nil {
		banks = DefaultBanks()
	}
	s := &Simulator{cfg: cfg, cal: cal, loc: cal.Location()}
	var err error
	if s.curve, err = NewCurve(cal); err != nil {
		return nil, err
	}
	if s.banks, err = newBankPicker(banks); err != nil {
		return nil, err
	}
	if len(banks) > 254 {
		return nil, fmt.Errorf("the bank table has %d banks; at most 254 are supported", len(banks))
	}
	a := cal.Assumptions
	s.luckyW = shareCounts(a.LuckyShares)
	s.fixedW = shareCounts(a.FixedShares)
	scen := cal.Scenarios
	if scen == nil {
		scen = DefaultScenarios()
	}
	s.scenWeChat = names(scen.WeChatPay)
	s.scenAlipay = names(scen.Alipay)
	s.meanClaimed, s.fullGroupFrac = claimedShares(a, s.luckyW, s.fixedW)
	s.muTotal = math.Log(float64(cal.Targets.MeanEnvelopeFen)) - a.TotalSigma*a.TotalSigma/2
	if s.pop, err = SolvePopulation(cal, s.curve, s.meanClaimed); err != nil {
		return nil, err
	}
	s.users = max(1, int64(math.Round(float64(s.pop.Users)*cfg.Scale)))
	s.topShare = s.pop.ExpectedTop(1, cfg.Scale) / cfg.Scale // per claim at this scale
	s.grabScr = newScramble(s.users, cfg.Seed, 1)
	s.sendScr = newScramble(s.users, cfg.Seed, 2)
	s.chatGroups = int(max(1, s.users/6))
	s.rng = rand.New(rand.NewPCG(cfg.Seed, 0x686f6e6762616f)) // "hongbao"
	s.prefix = "s" + strconv.FormatUint(cfg.Seed, 36) + "-"
	s.evText = append([]byte(s.prefix), '0')
	s.state = make([]userState, s.users)
	return s, nil
}

// Curve is the expected per-minute activity at scale 1.
func (s *Simulator) Curve() *Curve { return s.curve }

// Population is the solved user model at scale 1.
func (s *Simulator) Population() Population { return s.pop }

// Calibration is the world being replayed.
func (s *Simulator) Calibration() *Calibration { return s.cal }

// MeanClaimedShares is the expected number of claims per envelope.
func (s *Simulator) MeanClaimedShares() float64 { return s.meanClaimed }

// claimedShares returns the expected claims per envelope, and the share of claims
// that land in group envelopes that get emptied (only those produce misses).
func claimedShares(a Assumptions, lucky, fixed weighted[int]) (mean, fullGroup float64) {
	var claims, full float64
	add := func(w weighted[int], kindP float64, group func(n int) bool) {
		prev := 0.0
		for i, n := range w.values {
			p := (w.cum[i] - prev) * kindP
			prev = w.cum[i]
			c := a.FullyClaimed*float64(n) + (1-a.FullyClaimed)*float64(n-1)/2
			claims += p * c
			if group(n) {
				full += p * a.FullyClaimed * float64(n)
			}
		}
	}
	add(lucky, a.LuckyShare, func(int) bool { return true })
	add(fixed, 1-a.LuckyShare, func(n int) bool { return n > 1 })
	return claims, full / claims
}

// Run generates every event of the window in time order, minute by minute, and
// hands each to emit. The event passed to emit is reused: emit must not keep it.
//
// Each minute gets its expected claims and misses, carried over as fractions so
// that running totals are exact at any scale. Claims drain a queue of open
// envelopes (a new envelope is sent whenever the queue runs dry), so a large
// envelope can straddle minutes; misses hit envelopes that were recently emptied.
func (s *Simulator) Run(ctx context.Context, emit func(*events.Event) error) error {
	c := s.curve
	a := s.cal.Assumptions
	meanPerMinute := c.SumClaims(c.Start, c.Start.Add(time.Duration(c.Minutes())*time.Minute)) / float64(c.Minutes())
	var accClaims, accMisses, accPW, accPA float64
	for i := range c.Minutes() {
		if i%16 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		mStart := c.Start.Add(time.Duration(i) * time.Minute)
		s.setAdoption(mStart)
		if err := s.flushDue(mStart, emit); err != nil {
			return err
		}
		claims := carry(&accClaims, s.cfg.Scale*c.Claims[i])
		misses := carry(&accMisses, s.cfg.Scale*c.Claims[i]*(c.Ratio[i]-1))
		if err := s.grabMinute(mStart.UnixMilli(), claims, misses, emit); err != nil {
			return err
		}
		shape := c.Claims[i] / meanPerMinute
		for range carry(&accPW, s.cfg.Scale*a.PaymentsWeChat*shape) {
			if err := s.payment(mStart, true, emit); err != nil {
				return err
			}
		}
		for range carry(&accPA, s.cfg.Scale*a.PaymentsAlipay*shape) {
			if err := s.payment(mStart, false, emit); err != nil {
				return err
			}
		}
		if s.cfg.OnMinute != nil {
			s.cfg.OnMinute(i+1, c.Minutes())
		}
	}
	return s.flushDue(c.Start.Add(time.Duration(c.Minutes())*time.Minute), emit)
}

// grabMinute emits one minute's claims and misses in time order.
func (s *Simulator) grabMinute(startMs int64, claims, misses int, emit func(*events.Event) error) error {
	r := s.rng
	s.offs = s.offs[:0]
	// The low bit marks a miss; times are in milliseconds shifted left by one. Times
	// are stratified: the j-th of n falls in the j-th n-th of the minute, so every
	// second of a minute holds its share of the minute's grabs (the busiest second of
	// a small run is then the expected one, not a Poisson maximum).
	for j := range claims {
		s.offs = append(s.offs, (startMs+(int64(j)*60_000+r.Int64N(60_000))/int64(claims))<<1)
	}
	for j := range misses {
		s.offs = append(s.offs, (startMs+(int64(j)*60_000+r.Int64N(60_000))/int64(misses))<<1|1)
	}
	slices.Sort(s.offs)
	e := &s.ev
	for _, o := range s.offs {
		ts := o >> 1
		if o&1 == 1 {
			if len(s.emptied) == 0 {
				continue
			}
			env := s.emptied[r.IntN(len(s.emptied))]
			u := s.drawUser(s.grabScr)
			eid, uid := s.nextIDs(u)
			*e = events.Event{EventID: eid, Type: events.EnvelopeGrabbed, TS: s.at(max(ts, env.lastMs)),
				EnvelopeID: env.id, UserID: uid, Outcome: events.OutcomeMissed}
			if err := emit(e); err != nil {
				return err
			}
			continue
		}
		for len(s.open) == 0 {
			if err := s.sendEnvelope(ts, emit); err != nil {
				return err
			}
		}
		env := s.open[0]
		amt := env.amounts[env.claimed]
		u := s.drawClaimer(env)
		// The claimer's state is a random word of a large array, read by afterClaim
		// once the event is encoded and handed over: fetching it now, without waiting,
		// lets that work hide the wait for memory.
		prefetch.Line(uintptr(unsafe.Pointer(&s.state[u])))
		ts = max(ts, env.sentMs+1)
		env.claimed++
		env.lastMs = ts
		eid, uid := s.nextIDs(u)
		*e = events.Event{EventID: eid, Type: events.EnvelopeGrabbed, TS: s.at(ts),
			EnvelopeID: env.id, UserID: uid, Outcome: events.OutcomeClaimed, AmountFen: amt}
		if err := emit(e); err != nil {
			return err
		}
		s.afterClaim(u, ts, amt)
		if env.claimed == len(env.amounts) {
			s.open = s.open[1:]
			if env.full && env.group {
				s.noteEmptied(env)
			}
		}
	}
	return nil
}

// openEnvelope is an envelope still being claimed.
type openEnvelope struct {
	id             string
	sentMs, lastMs int64
	amounts        []int64 // the claims it will give, in order
	claimed        int
	claimers       []int32
	full, group    bool
}

// strataPerBlock is how many envelopes share one stratified block of totals.
const strataPerBlock = 64

// stratifiedNormal draws a standard normal value by stratified sampling: each block
// of strataPerBlock draws takes one value from each 1/strataPerBlock slice of the
// distribution, in random order. Every draw is still normal, but the mean envelope
// of a small run strays far less from its target than with independent draws.
func (s *Simulator) stratifiedNormal() float64 {
	if len(s.strata) == 0 {
		s.strata = s.rng.Perm(strataPerBlock)
	}
	k := s.strata[len(s.strata)-1]
	s.strata = s.strata[:len(s.strata)-1]
	u := (float64(k) + s.rng.Float64()) / strataPerBlock
	u = min(max(u, 1e-12), 1-1e-12)
	return math.Sqrt2 * math.Erfinv(2*u-1)
}

// noteEmptied keeps the most recently emptied group envelopes, the ones late
// grabbers find empty.
func (s *Simulator) noteEmptied(env *openEnvelope) {
	const keep = 64
	env.claimers = nil
	if len(s.emptied) < keep {
		s.emptied = append(s.emptied, env)
		return
	}
	s.emptied[s.emptiedNext] = env
	s.emptiedNext = (s.emptiedNext + 1) % keep
}

// carry turns a stream of expected counts into whole counts whose running total
// never strays from the expected running total by a whole event.
func carry(acc *float64, x float64) int {
	*acc += x
	n := math.Floor(*acc)
	*acc -= n
	return int(n)
}

func (s *Simulator) nextEventID() string {
	s.evSeq++
	return string(s.idText())
}

// idText returns the prefix and evSeq in base 36, as strconv.AppendUint writes them,
// kept up to date by counting: the next id differs from the last in its last digit
// or few, where formatting each id anew took a division by 36 per digit (4 % of the
// simulator's CPU at full scale). The bytes change with the next call.
func (s *Simulator) idText() []byte {
	for s.textSeq < s.evSeq {
		s.textSeq++
		s.evText = inc36(s.evText, len(s.prefix))
	}
	return s.evText
}

// inc36 adds one to the base-36 number in b[start:] (digits 0-9 then a-z, most
// significant first, no leading zero) and returns b.
func inc36(b []byte, start int) []byte {
	for i := len(b) - 1; i >= start; i-- {
		switch b[i] {
		case 'z':
			b[i] = '0'
			continue
		case '9':
			b[i] = 'a'
		default:
			b[i]++
		}
		return b
	}
	b = append(b, '0') // every digit was z: 1 followed by zeros
	b[start] = '1'
	return b
}

// nextIDs returns the next event id and the id of user u, cut from one string: one
// allocation for the pair of every grab, where the two took four (an eighth of the
// simulator's CPU, in allocation and concatenation).
func (s *Simulator) nextIDs(u int64) (eventID, userID string) {
	s.evSeq++
	var buf [64]byte
	b := append(buf[:0], s.idText()...)
	n := len(b)
	ids := string(strconv.AppendInt(append(b, 'u'), u, 10))
	return ids[:n], ids[n:]
}

func (s *Simulator) at(ms int64) time.Time {
	return time.UnixMilli(ms).In(s.loc)
}

// drawUser picks a user index for a grab (or, with the send scramble, a send).
func (s *Simulator) drawUser(scr scramble) int64 { return scr.apply(s.drawRank()) }

// drawRank picks a user by activity rank (0 is the most active) among the users
// who have joined: since users join in order of rank, those are the ranks below
// adopted × users, and both parts of the draw are simply narrowed to them.
func (s *Simulator) drawRank() int64 {
	joined := max(1, int64(s.adopted*float64(s.users)))
	if s.rng.Float64() < s.pop.Heavy {
		x := math.Pow(s.rng.Float64()*s.adoptedRoot, s.pop.Alpha)
		return min(int64(x*float64(s.users)), joined-1)
	}
	return s.rng.Int64N(joined)
}

// setAdoption moves the share of joined users to the one at t.
func (s *Simulator) setAdoption(t time.Time) {
	s.adopted = s.cal.Assumptions.adoptedShare(t)
	s.adoptedRoot = math.Pow(s.adopted, 1/s.pop.Alpha)
}

func userID(u int64) string { return "u" + strconv.FormatInt(u, 10) }

// sendEnvelope emits a new envelope, sent just before atMs, and queues it for
// claims (an envelope nobody claims is only sent).
func (s *Simulator) sendEnvelope(atMs int64, emit func(*events.Event) error) error {
	a := &s.cal.Assumptions
	r := s.rng
	sendMs := max(atMs-1-r.Int64N(3_000), s.curve.Start.UnixMilli()) // nothing before the window
	lucky := r.Float64() < a.LuckyShare
	var shares int
	if lucky {
		shares = s.luckyW.pick(r.Float64())
	} else {
		shares = s.fixedW.pick(r.Float64())
	}
	total := int64(math.Round(math.Exp(s.muTotal + a.TotalSigma*s.stratifiedNormal())))
	total = min(max(total, int64(shares)), int64(shares)*events.MaxClaimFen)
	kind := events.KindLucky
	if !lucky {
		kind = events.KindFixed
		total = max(1, total/int64(shares)) * int64(shares)
	}
	group := lucky || shares > 1
	s.envSeq++
	envID := s.prefix + "env-" + strconv.FormatUint(s.envSeq, 36)
	sender := s.drawUser(s.sendScr)
	var chat string
	if group {
		chat = "g" + strconv.Itoa(r.IntN(s.chatGroups))
	} else {
		chat = "p" + strconv.FormatUint(s.envSeq, 36)
	}
	e := &s.ev
	*e = events.Event{EventID: s.nextEventID(), Type: events.EnvelopeSent, TS: s.at(sendMs),
		EnvelopeID: envID, SenderID: userID(sender), ChatID: chat, Kind: kind,
		TotalFen: total, Shares: int32(shares)}
	if err := emit(e); err != nil {
		return err
	}
	if r.Float64() < a.FakeLinkRate {
		u := s.drawUser(s.sendScr)
		eid, uid := s.nextIDs(u)
		*e = events.Event{EventID: eid, Type: events.LinkShared, TS: s.at(sendMs),
			UserID: uid, ChatID: chat,
			URL: "http://hongbao-" + strconv.FormatUint(s.envSeq%997, 36) + ".example.invalid/claim?id=" + strconv.FormatUint(s.envSeq, 36)}
		if err := emit(e); err != nil {
			return err
		}
	}
	k := shares
	if r.Float64() >= a.FullyClaimed {
		k = r.IntN(shares)
	}
	if k == 0 {
		return nil
	}
	env := &openEnvelope{id: envID, sentMs: sendMs, lastMs: sendMs, full: k == shares, group: group,
		amounts: make([]int64, k)}
	remaining, left := total, int64(shares)
	for j := range k {
		var amt int64
		switch {
		case !lucky:
			amt = total / int64(shares)
		case left == 1:
			amt = remaining
		default:
			// WeChat's split: uniform up to twice the mean of what is left, keeping at
			// least 1 fen for every share still to come and at most 200 yuan a claim.
			lo := max(1, remaining-(left-1)*events.MaxClaimFen)
			hi := min(2*remaining/left, remaining-(left-1), events.MaxClaimFen)
			hi = max(hi, lo)
			amt = lo + r.Int64N(hi-lo+1)
		}
		env.amounts[j] = amt
		remaining -= amt
		left--
	}
	s.open = append(s.open, env)
	return nil
}

// drawClaimer picks a grabber not yet among this envelope's claimers: WeChat lets
// each user claim an envelope once. The most active user (rank 0, the record
// grabber) gets exactly its expected share of claims, carried over like the
// per-minute counts, so the record is the reported one at scale 1 and its model
// expectation at any other scale, not a random draw around it.
func (s *Simulator) drawClaimer(env *openEnvelope) int64 {
	top := s.grabScr.apply(0)
	s.topAcc += s.topShare
	if s.topAcc >= 1 && !slices.Contains(env.claimers, int32(top)) {
		s.topAcc--
		env.claimers = append(env.claimers, int32(top))
		return top
	}
	for {
		rank := s.drawRank()
		if rank == 0 && s.users > 1 {
			continue
		}
		u := s.grabScr.apply(rank)
		if !slices.Contains(env.claimers, int32(u)) || len(env.claimers) >= int(s.users) {
			env.claimers = append(env.claimers, int32(u))
			return u
		}
	}
}

// userState is one user's state in one word, so that a claim waits for one cache
// line where three arrays (balance, flags, card) made it wait for two or three: the
// balance in fen in the low 48 bits, the bank index + 1 of the WeChat Pay card in the
// next 8 (0 when none; New allows at most 254 banks), the flags in the top 8. A claim
// adds at most events.MaxClaimFen, so a balance would need over 14 billion claims to
// outgrow its 48 bits. At full scale the three arrays cost afterClaim about 250 ns a
// claim, a sixth of the simulator's CPU.
type userState uint64

const (
	balanceMask = 1<<48 - 1
	boundShift  = 48
	flagShift   = 56
)

func (u userState) balance() int64      { return int64(u & balanceMask) }
func (u *userState) addBalance(f int64) { *u += userState(f) } // f ≥ 0: a claim
func (u *userState) clearBalance()      { *u &^= balanceMask }
func (u userState) bound() int          { return int(uint8(u >> boundShift)) }
func (u *userState) setBound(b int)     { *u = *u&^(0xff<<boundShift) | userState(uint8(b))<<boundShift }
func (u userState) has(f uint8) bool    { return uint8(u>>flagShift)&f != 0 }
func (u *userState) set(f uint8)        { *u |= userState(f) << flagShift }

func (s *Simulator) afterClaim(u int64, ts int64, amt int64) {
	a := &s.cal.Assumptions
	st := &s.state[u]
	st.addBalance(amt)
	if st.has(flagClaimed) {
		return
	}
	st.set(flagClaimed)
	if s.rng.Float64() < a.BindAfterClaim {
		st.set(flagBindScheduled)
		s.schedule(ts+s.expMs(a.BindDelayMinutes), taskBindWeChat, u, 1)
	}
	if s.rng.Float64() < a.AlipayBindRate {
		s.schedule(ts+s.expMs(a.BindDelayMinutes), taskBindAlipay, u, 1)
	}
}

func (s *Simulator) expMs(meanMinutes float64) int64 {
	return 1 + int64(s.rng.ExpFloat64()*meanMinutes*60_000)
}

// userBank is the bank of a user's n-th card (1 or 2), fixed per user and seed.
func (s *Simulator) userBank(u int64, n int) (int, *Bank) {
	h := splitmix(s.cfg.Seed ^ uint64(u)*0x9e3779b97f4a7c15 ^ uint64(n)<<56)
	b := s.banks.pick(float64(h>>11) / (1 << 53))
	return slices.IndexFunc(s.banks.banks, func(x Bank) bool { return x.Code == b.Code }), b
}

func (s *Simulator) runTask(t task, emit func(*events.Event) error) error {
	a := &s.cal.Assumptions
	e := &s.ev
	u := t.user
	switch t.kind {
	case taskBindWeChat, taskBindAlipay:
		idx, b := s.userBank(u, int(t.card))
		provider, ok := events.ProviderWeChatPay, b.WeChatPay
		if t.kind == taskBindAlipay {
			provider, ok = events.ProviderAlipay, b.Alipay
		}
		outcome := events.BindOK
		if !ok {
			outcome = events.BindBankNotSupported
		}
		eid, uid := s.nextIDs(u)
		*e = events.Event{EventID: eid, Type: events.CardBound, TS: s.at(t.ms),
			UserID: uid, Provider: provider, BankCode: b.Code, Outcome: outcome}
		if err := emit(e); err != nil {
			return err
		}
		switch {
		case t.kind == taskBindAlipay:
			if ok {
				s.state[u].set(flagAlipay)
			}
		case ok && s.state[u].bound() == 0:
			s.state[u].setBound(idx + 1)
			s.boundU = append(s.boundU, int32(u))
			if s.rng.Float64() < a.WithdrawAfterBind {
				s.schedule(t.ms+s.expMs(a.WithdrawDelayMin), taskWithdraw, u, 0)
			}
		case !ok && t.card == 1 && s.rng.Float64() < a.RetryOtherCard:
			s.schedule(t.ms+s.expMs(30), taskBindWeChat, u, 2)
		}
	case taskWithdraw:
		st := &s.state[u]
		amt := st.balance()
		if amt <= 0 || st.bound() == 0 {
			return nil
		}
		st.clearBalance()
		b := s.banks.banks[st.bound()-1]
		eid, uid := s.nextIDs(u)
		*e = events.Event{EventID: eid, Type: events.Withdrawal, TS: s.at(t.ms),
			UserID: uid, Provider: events.ProviderWeChatPay, BankCode: b.Code, AmountFen: amt}
		return emit(e)
	}
	return nil
}

func (s *Simulator) payment(mStart time.Time, wechat bool, emit func(*events.Event) error) error {
	r := s.rng
	ts := s.at(mStart.UnixMilli() + r.Int64N(60_000))
	amt := max(1, int64(math.Round(math.Exp(math.Log(3000)+1.1*r.NormFloat64()))))
	e := &s.ev
	if wechat {
		if len(s.boundU) == 0 {
			return nil
		}
		u := int64(s.boundU[r.IntN(len(s.boundU))])
		b := s.banks.banks[s.state[u].bound()-1]
		eid, uid := s.nextIDs(u)
		*e = events.Event{EventID: eid, Type: events.Payment, TS: ts, UserID: uid,
			Provider: events.ProviderWeChatPay, Scenario: s.scenWeChat.pick(r.Float64()), AmountFen: amt, BankCode: b.Code}
		return emit(e)
	}
	u := r.Int64N(s.users)
	_, b := s.userBank(u, 1)
	if !b.Alipay {
		if _, b = s.userBank(u, 2); !b.Alipay {
			return nil
		}
	}
	eid, uid := s.nextIDs(u)
	*e = events.Event{EventID: eid, Type: events.Payment, TS: ts, UserID: uid,
		Provider: events.ProviderAlipay, Scenario: s.scenAlipay.pick(r.Float64()), AmountFen: amt, BankCode: b.Code}
	return emit(e)
}

// Tasks scheduled for later minutes: card bindings and withdrawals.
type taskKind uint8

const (
	taskBindWeChat taskKind = iota
	taskBindAlipay
	taskWithdraw
)

type task struct {
	ms   int64
	seq  uint64
	user int64
	kind taskKind
	card uint8
}

type schedule []task

func (h schedule) Len() int { return len(h) }
func (h schedule) Less(i, j int) bool {
	if h[i].ms != h[j].ms {
		return h[i].ms < h[j].ms
	}
	return h[i].seq < h[j].seq
}
func (h schedule) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *schedule) Push(x any)   { *h = append(*h, x.(task)) }
func (h *schedule) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

func (s *Simulator) schedule(ms int64, kind taskKind, u int64, card uint8) {
	s.evSeq++ // keeps the tie-break unique and deterministic
	heap.Push(&s.sched, task{ms: ms, seq: s.evSeq, user: u, kind: kind, card: card})
}

// flushDue runs every task due before limit, in time order.
func (s *Simulator) flushDue(limit time.Time, emit func(*events.Event) error) error {
	lim := limit.UnixMilli()
	for len(s.sched) > 0 && s.sched[0].ms < lim {
		t := heap.Pop(&s.sched).(task)
		if err := s.runTask(t, emit); err != nil {
			return err
		}
	}
	return nil
}

// scramble is a bijection of [0, n) so that user ids do not reveal activity rank.
type scramble struct{ n, mul, add int64 }

func newScramble(n int64, seed uint64, salt uint64) scramble {
	if n <= 1 {
		return scramble{n: max(n, 1), mul: 1}
	}
	h := splitmix(seed*31 + salt)
	mul := int64(h%uint64(n-1)) + 1
	for gcd(mul, n) != 1 {
		mul = mul%(n-1) + 1
	}
	return scramble{n: n, mul: mul, add: int64(splitmix(h) % uint64(n))}
}

func (s scramble) apply(i int64) int64 {
	// i·mul can exceed 64 bits for large n; use 128-bit arithmetic via math/bits-free split.
	return int64((mulmod(uint64(i), uint64(s.mul), uint64(s.n)) + uint64(s.add)) % uint64(s.n))
}

func mulmod(a, b, m uint64) uint64 {
	if a < 1<<32 && b < 1<<32 {
		return (a * b) % m
	}
	var r uint64
	a %= m
	for b > 0 {
		if b&1 == 1 {
			r = (r + a) % m
		}
		a = (a << 1) % m
		b >>= 1
	}
	return r
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
