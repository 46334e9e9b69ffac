package report

import (
	"context"
	"errors"
	"time"

	"github.com/hongbao/hongbao/transform"
)

// Summary is what 'hongbao demo' prints of a warehouse once the events have landed.
type Summary struct {
	// Rows and Fen are the rows of each event table and of quarantine, and the money
	// each event table holds in fen, by table name.
	Rows map[string]int64
	Fen  map[string]int64
	// PeakMinute is the busiest minute by claims (China Standard Time), zero when no
	// grab claimed anything; PeakClaims its claims.
	PeakMinute time.Time
	PeakClaims int64
}

// Summarize reads the summary of the warehouse of data folder dir, with the report's
// queries.
func Summarize(ctx context.Context, dir string) (*Summary, error) {
	w, err := transform.OpenReadOnly(dir)
	if err != nil {
		return nil, err
	}
	defer w.Close()
	s := &Summary{}
	if s.Rows, s.Fen, err = tableRows(ctx, w.DB()); err != nil {
		return nil, err
	}
	peak, err := busiestMinute(ctx, w.DB())
	if err != nil && !errors.Is(err, ErrNoEvents) {
		return nil, err
	}
	s.PeakMinute, s.PeakClaims = peak.T, peak.Claims
	return s, nil
}
