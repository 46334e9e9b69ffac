package simulate

// Expectation is what the simulator is built to reproduce at its scale: the
// reported figures of the calibration, scaled. Counts scale with the scale and means
// stay; the heaviest grabber does not scale linearly (a smaller population has a
// lighter top grabber), so its expectation comes from the population model.
type Expectation struct {
	Scale             float64 `json:"scale"`
	Seed              uint64  `json:"seed"`
	Calibration       string  `json:"calibration"`
	Name              string  `json:"calibration_name"`
	Reading           string  `json:"reading,omitempty"`
	ClaimsTotal       float64 `json:"claims_total"`   // claims from FiguresFrom to WindowEnd
	AttemptsTotal     float64 `json:"attempts_total"` // attempts over the same window
	SentAndReceived   float64 `json:"sent_and_received,omitempty"`
	ClaimsPerMinute   float64 `json:"claims_per_minute_avg"`
	PeakClaims        float64 `json:"peak_opens_per_minute"`
	First5MinAttempts float64 `json:"first5min_participations"`
	EveParticipants   float64 `json:"eve_participants"`
	UsersEveToDay1    float64 `json:"users_eve_to_day1"`
	MeanEnvelopeYuan  float64 `json:"avg_envelope_yuan"`
	MaxClaimsOneUser  float64 `json:"max_claims_one_user"`
	WindowStart       string  `json:"window_start"`
	FiguresFrom       string  `json:"figures_from"`
	WindowEnd         string  `json:"window_end"`
}

// Expect returns the expectation of this run.
func (s *Simulator) Expect() Expectation {
	cal := s.cal
	w := cal.Window
	t := cal.Targets
	sc := s.cfg.Scale
	minutes := w.End.Sub(w.Figures()).Minutes()
	sr := 0.0
	if t.SentAndReceived > 0 {
		sr = float64(t.SentAndReceived) * sc
	}
	return Expectation{
		Scale:             sc,
		Seed:              s.cfg.Seed,
		Calibration:       cal.Source(),
		Name:              cal.Name,
		Reading:           cal.Reading,
		ClaimsTotal:       float64(t.ClaimsTotal) * sc,
		AttemptsTotal:     s.curve.SumAttempts(w.Figures(), w.End) * sc,
		SentAndReceived:   sr,
		ClaimsPerMinute:   float64(t.ClaimsTotal) / minutes,
		PeakClaims:        float64(t.PeakClaims) * sc,
		First5MinAttempts: float64(t.First5MinAttempts) * sc,
		EveParticipants:   float64(t.EveParticipants) * sc,
		UsersEveToDay1:    float64(t.UsersEveToDay1) * sc,
		MeanEnvelopeYuan:  float64(t.MeanEnvelopeFen) / 100,
		MaxClaimsOneUser:  s.pop.ExpectedTop(s.curve.SumClaims(w.Start, w.EveNightEnd), sc),
		WindowStart:       w.Start.Format("2006-01-02T15:04:05Z07:00"),
		FiguresFrom:       w.Figures().Format("2006-01-02T15:04:05Z07:00"),
		WindowEnd:         w.End.Format("2006-01-02T15:04:05Z07:00"),
	}
}
