package simulate

import (
	"fmt"
	"math"
)

// Population is the model of who grabs and who sends. A draw picks a user: with
// probability Heavy from a heavy-tailed ranking (position = U^Alpha, so low ranks are
// very active: the record grabber sits at rank 0), otherwise uniformly. Its three
// parameters are solved from three reported figures: distinct grabbers Eve → Day 1,
// distinct participants on Eve night, and the heaviest grabber's claims.
type Population struct {
	Users int64   // population at scale 1
	Alpha float64 // skew of the heavy part (larger is more skewed)
	Heavy float64 // share of draws from the heavy part
}

// rankGrid is a geometric grid over (0, 1] for integrating over ranks.
var rankGrid = func() []float64 {
	const n = 1600
	g := make([]float64, n)
	lo := math.Log(1e-14)
	for i := range n {
		g[i] = math.Exp(lo + (0-lo)*float64(i)/float64(n-1))
	}
	return g
}()

// heavyDensity is x^(1/Alpha-1)/Alpha over rankGrid: the heavy part's density.
func (p Population) heavyDensity() []float64 {
	d := make([]float64, len(rankGrid))
	for i, x := range rankGrid {
		d[i] = math.Pow(x, 1/p.Alpha-1) / p.Alpha
	}
	return d
}

// untouched is the expected share of users not drawn in d draws. Ranks below the
// grid's first point are drawn for sure, so they add nothing.
func (p Population) untouched(d float64, dens []float64) float64 {
	if dens == nil {
		dens = p.heavyDensity()
	}
	n := float64(p.Users)
	f := func(i int) float64 { return math.Exp(-d * (p.Heavy*dens[i] + 1 - p.Heavy) / n) }
	s := 0.0
	fprev := f(0)
	for i := 1; i < len(rankGrid); i++ {
		fi := f(i)
		s += (rankGrid[i] - rankGrid[i-1]) * (fi + fprev) / 2
		fprev = fi
	}
	return s
}

// ExpectedDistinct is the expected number of distinct users among d draws.
func (p Population) ExpectedDistinct(d float64) float64 {
	return float64(p.Users) * (1 - p.untouched(d, nil))
}

// ExpectedDistinctEither is the expected number of distinct users among d draws of
// one kind (grabs) and e independent draws of another (sends).
func (p Population) ExpectedDistinctEither(d, e float64) float64 {
	dens := p.heavyDensity()
	return float64(p.Users) * (1 - p.untouched(d, dens)*p.untouched(e, dens))
}

// ExpectedTop is the expected number of claims of the rank-0 user among c claims,
// at scale s (the heavy part's top share shrinks more slowly than the population).
func (p Population) ExpectedTop(c, s float64) float64 {
	n := float64(p.Users) * s
	return c * s * (p.Heavy*math.Pow(1/n, 1/p.Alpha) + (1-p.Heavy)/n)
}

// SolvePopulation finds the population that reproduces the calibration's user
// figures on the given curve.
func SolvePopulation(cal *Calibration, cur *Curve, meanClaimedShares float64) (Population, error) {
	w := cal.Window
	t := cal.Targets
	attemptsEveDay1 := cur.SumAttempts(w.EveStart, w.End)
	attemptsNight := cur.SumAttempts(w.EveNightStart, w.EveNightEnd)
	sendsNight := cur.SumClaims(w.EveNightStart, w.EveNightEnd) / meanClaimedShares
	claimsToNightEnd := cur.SumClaims(w.Start, w.EveNightEnd)

	// For a given heavy share: alternate solving Alpha from the record grabber and
	// Users from the distinct grabbers.
	solveFor := func(heavy float64) (Population, error) {
		p := Population{Users: t.UsersEveToDay1, Heavy: heavy, Alpha: 2}
		for range 12 {
			n := float64(p.Users)
			top := (float64(t.MaxClaimsOneUser)/claimsToNightEnd - (1-heavy)/n) / heavy
			if top <= 0 || top >= 1 {
				return p, fmt.Errorf("no population gives a heaviest grabber of %d claims", t.MaxClaimsOneUser)
			}
			p.Alpha = math.Log(n) / -math.Log(top)
			dens := p.heavyDensity()
			lo, hi := float64(t.UsersEveToDay1), 4*float64(t.UsersEveToDay1)
			for range 40 {
				mid := (lo + hi) / 2
				q := p
				q.Users = int64(mid)
				if float64(q.Users)*(1-q.untouched(attemptsEveDay1, dens)) < float64(t.UsersEveToDay1) {
					lo = mid
				} else {
					hi = mid
				}
			}
			p.Users = int64(math.Round(hi))
		}
		return p, nil
	}
	// Bisect the heavy share on Eve night's participants: more heavy draws, fewer distinct.
	lo, hi := 0.001, 0.95
	var best Population
	for range 24 {
		mid := (lo + hi) / 2
		p, err := solveFor(mid)
		if err != nil {
			hi = mid
			continue
		}
		best = p
		if p.ExpectedDistinctEither(attemptsNight, sendsNight) > float64(t.EveParticipants) {
			lo = mid
		} else {
			hi = mid
		}
	}
	if best.Users == 0 {
		return best, fmt.Errorf("no population reproduces the user figures of the calibration")
	}
	got := best.ExpectedDistinctEither(attemptsNight, sendsNight)
	if math.Abs(got/float64(t.EveParticipants)-1) > 0.005 {
		return best, fmt.Errorf("no population reproduces %d Eve-night participants (closest: %.0f); widen the Eve-night window or change the activity shape", t.EveParticipants, got)
	}
	return best, nil
}
