package console

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/query"
)

type overviewData struct {
	Run        datadir.Run
	HasRun     bool
	Tables     []warehouseTable
	Quarantine *query.Result
	Lake       []lakeTable
	Commits    int
	LakeFiles  int
	LakeBytes  int64
	MetricsURL string
}

type lakeTable struct {
	Table string
	Files int
	Rows  int64
	Bytes int64
}

func (c *Console) overview(w http.ResponseWriter, r *http.Request) {
	d := &overviewData{MetricsURL: c.cfg.MetricsURL}
	err := func() error {
		var err error
		if d.Run, d.HasRun, err = datadir.Dir(c.cfg.Dir).ReadRun(); err != nil {
			return err
		}
		if err := c.lakeSummary(d); err != nil {
			return err
		}
		return c.withSandbox(r.Context(), func(sb *query.Sandbox) error {
			if d.Tables, err = tables(r.Context(), sb); err != nil {
				return err
			}
			d.Quarantine, err = queryRows(r.Context(), sb, "quarantine_reasons")
			return err
		})
	}()
	c.render(w, r, "overview", "overview", [2]string{"概览", "Overview"}, d, err)
}

// warehouseTable is one table the last refresh built.
type warehouseTable struct {
	Name, Kind string
	Rows       int64
	Files      int64
	Bytes      int64
	Refreshed  time.Time
}

func tables(ctx context.Context, sb *query.Sandbox) ([]warehouseTable, error) {
	rows, err := sb.DB().QueryContext(ctx, queries["tables"])
	if err != nil {
		return nil, fmt.Errorf("tables: %w", err)
	}
	defer rows.Close()
	var out []warehouseTable
	for rows.Next() {
		var t warehouseTable
		var files, bytes sql.NullInt64
		if err := rows.Scan(&t.Name, &t.Kind, &t.Rows, &files, &bytes, &t.Refreshed); err != nil {
			return nil, fmt.Errorf("tables: %w", err)
		}
		t.Files, t.Bytes = files.Int64, bytes.Int64
		out = append(out, t)
	}
	return out, rows.Err()
}

// lakeSummary counts the lake's commits and files from its markers, reading only.
func (c *Console) lakeSummary(d *overviewData) error {
	files, err := lake.Committed(c.cfg.Dir)
	if err != nil {
		return err
	}
	markers := map[string]bool{}
	for table, fs := range files {
		t := lakeTable{Table: table, Files: len(fs)}
		for _, f := range fs {
			t.Rows += f.Rows
			t.Bytes += f.Bytes
			markers[f.Marker] = true
		}
		d.Lake = append(d.Lake, t)
		d.LakeFiles += t.Files
		d.LakeBytes += t.Bytes
	}
	slices.SortFunc(d.Lake, func(a, b lakeTable) int { return strings.Compare(a.Table, b.Table) })
	d.Commits = len(markers)
	return nil
}

// live is what the overview shows of a running ingester.
type live struct {
	URL         string  `json:"url"`
	Up          bool    `json:"up"`
	Error       string  `json:"error,omitempty"`
	Read        float64 `json:"read"`
	Rate        float64 `json:"rate"` // messages read per second since the previous look
	Lag         float64 `json:"lag"`
	Quarantined float64 `json:"quarantined"`
	Commits     float64 `json:"commits"`
}

// readMetric is the counter of messages an ingester read; every ingester's metrics
// have it, from the start.
const readMetric = "hongbao_ingest_messages_total"

// maxMetricsBytes bounds what the overview reads from the metrics address.
const maxMetricsBytes = 4 << 20

// liveRate keeps the previous look, for the rate.
type liveRate struct {
	mu   sync.Mutex
	at   time.Time
	read float64
}

func (c *Console) liveData(w http.ResponseWriter, r *http.Request) {
	l := live{URL: c.cfg.MetricsURL}
	if l.URL != "" {
		if err := c.scrape(r.Context(), &l); err != nil {
			l.Error = err.Error()
		} else {
			l.Up = true
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(l)
}

// scrape reads the ingester's metrics.
func (c *Console) scrape(ctx context.Context, l *live) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.URL, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", l.URL, resp.Status)
	}
	// An ingester's metrics are a few kilobytes; whatever else answers at the address
	// is read no further than this.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxMetricsBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxMetricsBytes {
		return fmt.Errorf("%s answered with more than %s bytes: not an ingester's metrics", l.URL, locale.Int(maxMetricsBytes))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		return err
	}
	if fams[readMetric] == nil {
		return fmt.Errorf("%s answers, but not with a hongbao ingester's metrics (it has no %s)", l.URL, readMetric)
	}
	var odd string
	sum := func(name string, keep func(*dto.Metric) bool) float64 {
		var v float64
		if f := fams[name]; f != nil {
			for _, m := range f.Metric {
				if keep != nil && !keep(m) {
					continue
				}
				x := m.GetCounter().GetValue() + m.GetGauge().GetValue()
				if math.IsNaN(x) || math.IsInf(x, 0) || x < 0 {
					odd = name
					continue
				}
				v += x
			}
		}
		return v
	}
	l.Read = sum(readMetric, func(m *dto.Metric) bool {
		for _, lp := range m.Label {
			if lp.GetName() == "stage" {
				return lp.GetValue() == "read"
			}
		}
		return false
	})
	l.Lag = sum("hongbao_ingest_lag_messages", nil)
	l.Quarantined = sum("hongbao_ingest_quarantined_total", nil)
	l.Commits = sum("hongbao_ingest_commits_total", nil)
	if odd != "" {
		return fmt.Errorf("%s gives %s a value no ingester counts (negative, NaN or infinite)", l.URL, odd)
	}
	c.live.mu.Lock()
	defer c.live.mu.Unlock()
	now := time.Now()
	if !c.live.at.IsZero() && l.Read >= c.live.read {
		l.Rate = (l.Read - c.live.read) / now.Sub(c.live.at).Seconds()
	}
	c.live.at, c.live.read = now, l.Read
	return nil
}
