package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
)

// reportedClaims is the article's claim total, against which the scale of
// data without a run record is read.
const reportedClaims = 75_000_000

// wall reads a naive TIMESTAMP (as the driver returns it, in UTC) as China
// Standard Time wall-clock time.
func wall(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), locale.Zone)
}

// RunInfo describes the data the report is about.
type RunInfo struct {
	// Scale is the share of the 2014 festival the data holds: counts are
	// Scale × the reported figures.
	Scale float64 `json:"scale"`
	// ScaleSource says where Scale came from: "run.json" (the record the
	// simulator leaves in the data folder) or "claims / 75,000,000".
	ScaleSource string `json:"scale_source"`
	// Seed is the simulator seed, "" when unknown; SeedSource is "run.json"
	// or "event ids" (the simulator's ids start "s<seed in base 36>-").
	Seed       string `json:"seed"`
	SeedSource string `json:"seed_source"`
	// Calibration names the simulator calibration, "" when unknown.
	Calibration string `json:"calibration"`
	// Windows are the instants the figures refer to: the run's, else 2014's.
	Windows datadir.Windows `json:"windows"`
	// Expected are the run record's expectations of figures that do not
	// scale linearly (the record grabber), by fact id.
	Expected map[string]float64 `json:"expected,omitempty"`
	// First and Last are the first and last grab.
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	// Claims counts claimed grabs.
	Claims int64 `json:"claims"`
	// Rows counts the rows of each event table and of quarantine.
	Rows map[string]int64 `json:"rows"`
	// Fen is the money each event table holds, in fen (for Result.Summary; the
	// report does not print it).
	Fen map[string]int64 `json:"-"`
}

// eventTables are the warehouse tables the report counts the rows of: the lake tables
// the ingester writes (the six event tables, then the quarantine), in the design's
// order.
var eventTables = lake.Tables

// tableRows reads the rows of each of eventTables, and the money in fen each holds, as
// the warehouse's last refresh checked them.
func tableRows(ctx context.Context, db *sql.DB) (rows, fen map[string]int64, err error) {
	rows, fen = map[string]int64{}, map[string]int64{}
	want := map[string]bool{}
	for _, t := range eventTables {
		want[t] = true
	}
	err = eachRow(ctx, db, reportSQL.Query("table_rows"), func(scan func(...any) error) error {
		var t string
		var n, f int64
		if err := scan(&t, &n, &f); err != nil {
			return err
		}
		if want[t] {
			rows[t], fen[t] = n, f
		}
		return nil
	})
	// A warehouse refreshed by an earlier version has no sum_fen in _hongbao_meta.
	if (err == nil && len(rows) < len(eventTables)) || (err != nil && strings.Contains(err.Error(), "sum_fen")) {
		return nil, nil, errors.New("the warehouse's last refresh did not record the rows and money of every lake table, as a refresh by an earlier version of hongbao does not: run 'hongbao transform' and try again")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read the rows of each table: %w", err)
	}
	return rows, fen, nil
}

// runInfo reads the data window from db, the warehouse of data folder dir, and
// the run record the simulator leaves there. Without a record the scale is
// claims / 75,000,000, the windows are 2014's and the seed is read from the
// simulator's event ids when every grab carries the same one.
func runInfo(ctx context.Context, db *sql.DB, dir datadir.Dir) (RunInfo, error) {
	ri := RunInfo{}
	var err error
	if ri.Rows, ri.Fen, err = tableRows(ctx, db); err != nil {
		return ri, err
	}
	var first, last sql.NullTime
	err = db.QueryRowContext(ctx, reportSQL.Query("data_window")).Scan(&ri.Claims, &first, &last)
	if err != nil {
		return ri, fmt.Errorf("read the data window: %w", err)
	}
	if ri.Claims == 0 {
		return ri, ErrNoEvents
	}
	ri.First, ri.Last = first.Time.In(locale.Zone), last.Time.In(locale.Zone)

	run, ok, err := dir.ReadRun()
	if err != nil {
		return ri, fmt.Errorf("run record: %w", err)
	}
	if ok {
		ri.Scale, ri.ScaleSource = run.Scale, "run.json"
		ri.Seed, ri.SeedSource = strconv.FormatUint(run.Seed, 10), "run.json"
		ri.Calibration, ri.Windows, ri.Expected = run.Calibration, inShanghai(run.Windows), run.Expected
		return ri, nil
	}
	ri.Scale, ri.ScaleSource = float64(ri.Claims)/reportedClaims, "claims / 75,000,000"
	ri.Windows = inShanghai(datadir.Default2014())
	if s, ok, err := seedFromIDs(ctx, db); err != nil {
		return ri, err
	} else if ok {
		ri.Seed, ri.SeedSource = s, "event ids"
	}
	return ri, nil
}

// run is the record facts.Compute judges the data against: the run's own,
// or one at the scale read from the claims.
func (ri RunInfo) run() (datadir.Run, bool) {
	seed, _ := strconv.ParseUint(ri.Seed, 10, 64)
	return datadir.Run{Scale: ri.Scale, Seed: seed, Calibration: ri.Calibration, Windows: ri.Windows, Expected: ri.Expected},
		ri.ScaleSource == "run.json"
}

// seedFromIDs reads the seed from the simulator's event ids, if every grab
// carries the same one.
func seedFromIDs(ctx context.Context, db *sql.DB) (string, bool, error) {
	var n int64
	var prefix sql.NullString
	err := db.QueryRowContext(ctx, reportSQL.Query("seed_from_ids")).Scan(&n, &prefix)
	if err != nil {
		return "", false, fmt.Errorf("read event ids: %w", err)
	}
	if n != 1 || !prefix.Valid || prefix.String == "" {
		return "", false, nil
	}
	seed, err := strconv.ParseUint(prefix.String, 36, 64)
	if err != nil {
		return "", false, nil
	}
	return strconv.FormatUint(seed, 10), true, nil
}

// inShanghai puts every instant of w in locale.Zone, the zone the report
// computes and labels in.
func inShanghai(w datadir.Windows) datadir.Windows {
	for _, t := range []*time.Time{&w.Launch, &w.End, &w.EveStart, &w.EveNightStart, &w.EveNightEnd, &w.PeakMinute} {
		*t = t.In(locale.Zone)
	}
	return w
}
