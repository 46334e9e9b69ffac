package simulate

import (
	"time"

	"github.com/hongbao/hongbao/internal/datadir"
)

// RunRecord is the record this simulation leaves in its data folder (run.json), which
// the facts sheet and the report judge the data against: scale, seed and calibration,
// the calibration's windows, and the expectation of the one figure that does not scale
// linearly (the heaviest grabber, from the population model).
func (s *Simulator) RunRecord() datadir.Run {
	exp := s.Expect()
	return datadir.Run{Scale: exp.Scale, Seed: exp.Seed, Calibration: exp.Calibration, Reading: s.cal.Reading,
		Windows: s.cal.Window.record(), Expected: map[string]float64{"max_claims_one_user": exp.MaxClaimsOneUser}}
}

// WriteRunRecord writes RunRecord, stamped with the time, to data folder dir.
func (s *Simulator) WriteRunRecord(dir datadir.Dir) error {
	r := s.RunRecord()
	r.Written = time.Now().UTC()
	return dir.WriteRun(r)
}
