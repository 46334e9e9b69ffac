package console

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/query"
	"github.com/hongbao/hongbao/refdata"
)

// reportedPeakID is the facts registry's figure the replay draws its line at.
const reportedPeakID = "peak_opens_per_minute"

// replayData is the hour around the peak minute, as the replay page plays it.
type replayData struct {
	// Peak is the busiest minute of claims, local time (China Standard Time), as
	// 2006-01-02T15:04:05 without a zone.
	Peak         string `json:"peak"`
	PeakClaims   int64  `json:"peak_claims"`
	PeakAttempts int64  `json:"peak_attempts"`
	// Seconds are [offset from Peak in seconds, claims, attempts], for the seconds of
	// -1800 to 1799 that had grabs.
	Seconds [][3]int64 `json:"seconds"`
	// Reported is the reported peak of opens a minute at this run's scale, with the
	// figure as reported and the scale.
	Reported        float64 `json:"reported_per_minute"`
	ReportedDisplay string  `json:"reported_display"`
	Scale           float64 `json:"scale"`
}

func (c *Console) replay(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, "replay", "replay", [2]string{"零点回放", "Midnight replay"}, nil, nil)
}

func (c *Console) replayData(w http.ResponseWriter, r *http.Request) {
	d, err := c.loadReplay(r.Context())
	if errors.Is(err, sql.ErrNoRows) {
		// The page shows the answer's text where the peak would be.
		http.Error(w, lang(w, r).Pick("仓库里还没有领取记录：先运行 hongbao demo，或接入事件后运行 hongbao transform",
			"the warehouse holds no claimed grabs yet: run 'hongbao demo', or ingest events and run 'hongbao transform'"), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(d)
}

func (c *Console) loadReplay(ctx context.Context) (*replayData, error) {
	run, _, err := datadir.Dir(c.cfg.Dir).ReadRun()
	if err != nil {
		return nil, err
	}
	d := &replayData{Scale: run.Scale, Seconds: [][3]int64{}}
	if f, ok := refdata.Lookup(reportedPeakID); ok {
		d.Reported, d.ReportedDisplay = f.Value*run.Scale, f.Display
	}
	if v, ok := run.Expected[reportedPeakID]; ok {
		d.Reported = v
	}
	err = c.withSandbox(ctx, func(sb *query.Sandbox) error {
		var peak time.Time
		err := sb.DB().QueryRowContext(ctx, queries["replay_peak"]).Scan(&peak, &d.PeakClaims, &d.PeakAttempts)
		if err != nil {
			return err
		}
		// A naive TIMESTAMP comes back as UTC: its wall clock is the local one.
		d.Peak = peak.UTC().Format("2006-01-02T15:04:05")
		rows, err := sb.DB().QueryContext(ctx, queries["replay_seconds"], peak.UTC().Format("2006-01-02 15:04:05"))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var s [3]int64
			if err := rows.Scan(&s[0], &s[1], &s[2]); err != nil {
				return err
			}
			d.Seconds = append(d.Seconds, s)
		}
		return rows.Err()
	})
	return d, err
}
