package report

import "time"

// Summary is what 'hongbao demo' prints of a warehouse once the events have landed,
// from the numbers the report read (Result.Summary).
type Summary struct {
	// Rows and Fen are the rows of each event table and of quarantine, and the money
	// each event table holds in fen, by table name.
	Rows map[string]int64
	Fen  map[string]int64
	// PeakMinute is the busiest minute by claims (China Standard Time); PeakClaims its
	// claims.
	PeakMinute time.Time
	PeakClaims int64
}
