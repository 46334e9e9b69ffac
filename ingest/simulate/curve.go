package simulate

import (
	"fmt"
	"math"
	"time"
)

// Curve is the expected activity of every minute of the window at scale 1: claims,
// and the attempts-per-claim ratio (attempts count the grabs that find an envelope
// already empty). It is derived from a calibration so that the claims add up to the
// reported total and the peak minute has the reported peak.
type Curve struct {
	Start  time.Time
	Claims []float64 // expected claims per minute
	Ratio  []float64 // expected attempts per claim, per minute
	Peak   int       // index of the peak minute
	// MissBase and MissLoad are the misses per claim at quiet times and the load
	// factor: assumed, or solved from reported attempts.
	MissBase, MissLoad float64
}

// Minutes is the length of the window in minutes.
func (c *Curve) Minutes() int { return len(c.Claims) }

// Minute returns the index of the minute holding t, or -1 outside the window.
func (c *Curve) Minute(t time.Time) int {
	d := t.Sub(c.Start)
	if d < 0 {
		return -1
	}
	i := int(d / time.Minute)
	if i >= len(c.Claims) {
		return -1
	}
	return i
}

// SumClaims adds the expected claims over [from, to).
func (c *Curve) SumClaims(from, to time.Time) float64 { return c.sum(from, to, false) }

// SumAttempts adds the expected attempts over [from, to).
func (c *Curve) SumAttempts(from, to time.Time) float64 { return c.sum(from, to, true) }

func (c *Curve) sum(from, to time.Time, attempts bool) float64 {
	s := 0.0
	for i := range c.Claims {
		t := c.Start.Add(time.Duration(i) * time.Minute)
		if t.Before(from) || !t.Before(to) {
			continue
		}
		if attempts {
			s += c.Claims[i] * c.Ratio[i]
		} else {
			s += c.Claims[i]
		}
	}
	return s
}

// NewCurve derives the per-minute curve of a calibration. The shape is a base
// rhythm (day × hour weights, with the Eve boost) plus a midnight spike; the two
// amplitudes are solved so that the total and the peak match the targets exactly.
// It fails when the result is not consistent (a negative amplitude, or a minute
// busier than the peak).
func NewCurve(cal *Calibration) (*Curve, error) {
	w := cal.Window
	a := cal.Assumptions
	loc := cal.Location()
	n := int(w.End.Sub(w.Start) / time.Minute)
	base := make([]float64, n)
	spike := make([]float64, n)
	peak := int(w.PeakMinute.Sub(w.Start) / time.Minute)
	for i := range n {
		t := w.Start.Add(time.Duration(i) * time.Minute).In(loc)
		day, ok := a.DayWeights[t.Format("2006-01-02")]
		if !ok {
			return nil, fmt.Errorf("assumptions.day_weights has no weight for %s", t.Format("2006-01-02"))
		}
		// Interpolate between hour weights, centred on the half hour, for a smooth rhythm.
		h := float64(t.Hour()) + float64(t.Minute())/60 - 0.5
		h0 := int(math.Floor(h))
		f := h - float64(h0)
		hw := a.HourWeights[(h0+24)%24]*(1-f) + a.HourWeights[(h0+25)%24]*f
		v := day * hw
		if !t.Before(a.EveBoost.From) && t.Before(a.EveBoost.To) {
			v *= a.EveBoost.Factor
		}
		base[i] = v
		d := float64(i - peak)
		if d < 0 {
			spike[i] = math.Exp(d / a.SpikeRampMinutes)
		} else {
			spike[i] = math.Exp(-d / a.SpikeDecayMinutes)
		}
	}
	// The totals refer to the minutes from window.figures_from.
	from := int(w.Figures().Sub(w.Start) / time.Minute)
	var sb, ss float64
	for i := from; i < n; i++ {
		sb += base[i]
		ss += spike[i]
	}
	// Solve A·sb + B·ss = total and A·base[peak] + B·spike[peak] = peak claims.
	T := float64(cal.Targets.ClaimsTotal)
	P := float64(cal.Targets.PeakClaims)
	det := sb*spike[peak] - ss*base[peak]
	A := (T*spike[peak] - ss*P) / det
	B := (sb*P - base[peak]*T) / det
	if A <= 0 || B < 0 {
		return nil, fmt.Errorf("calibration is inconsistent: the peak of %.0f/min and the total of %.0f cannot both hold with this shape (base amplitude %.3g, spike %.3g)", P, T, A, B)
	}
	c := &Curve{Start: w.Start, Claims: make([]float64, n), Ratio: make([]float64, n), Peak: peak}
	for i := range n {
		c.Claims[i] = A*base[i] + B*spike[i]
	}
	for i := range n {
		if i != peak && c.Claims[i] >= c.Claims[peak] {
			t := w.Start.Add(time.Duration(i) * time.Minute).In(loc)
			return nil, fmt.Errorf("calibration is inconsistent: %s would be busier (%.0f claims) than the peak minute (%.0f)", t.Format("2006-01-02 15:04"), c.Claims[i], c.Claims[peak])
		}
	}
	// Attempts per claim: 1 + base + k·(load)^exponent. k is solved so the five
	// minutes from the peak hold the reported attempts; when the attempts over the
	// figures' window are reported too, base is solved with it (two linear equations),
	// otherwise it is assumed.
	load := func(i int) float64 { return math.Pow(c.Claims[i]/P, a.MissRatioExponent) }
	var c5, l5, cw, lw float64
	for i := peak; i < peak+5 && i < n; i++ {
		c5 += c.Claims[i]
		l5 += c.Claims[i] * load(i)
	}
	for i := from; i < n; i++ {
		cw += c.Claims[i]
		lw += c.Claims[i] * load(i)
	}
	base0, k := a.MissRatioBase, 0.0
	a5, aw := float64(cal.Targets.First5MinAttempts), float64(cal.Targets.AttemptsTotal)
	switch {
	case aw > 0 && a5 > 0:
		d := cw*l5 - c5*lw
		base0 = (aw*l5-a5*lw)/d - 1
		k = (cw*a5 - c5*aw) / d
		if base0 < 0 || k < 0 {
			return nil, fmt.Errorf("calibration is inconsistent: %.0f attempts over the window and %.0f in the first five minutes need misses per claim of %.3g at quiet times and a load factor of %.3g; neither may be negative", aw, a5, base0, k)
		}
	case aw > 0:
		base0 = aw/cw - 1
		if base0 < 0 {
			return nil, fmt.Errorf("calibration is inconsistent: %.0f attempts are fewer than the %.0f claims", aw, cw)
		}
	case a5 > 0:
		k = (a5 - c5*(1+base0)) / l5
		if k < 0 {
			return nil, fmt.Errorf("calibration is inconsistent: %d attempts in the first five minutes are fewer than the claims plus base misses (%.0f)", cal.Targets.First5MinAttempts, c5*(1+base0))
		}
	}
	c.MissBase, c.MissLoad = base0, k
	for i := range n {
		c.Ratio[i] = 1 + base0 + k*load(i)
	}
	return c, nil
}
