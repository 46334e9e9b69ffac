// Package metrics exposes what a running ingester does in the Prometheus text format:
// messages read and landed, refusals by reason, lag per partition, commits, bytes
// written and warehouse refreshes. docs/METRICS.md lists every metric.
//
// An Ingest is the ingester's ingest.Observer and a prometheus.Collector: the
// ingester advances plain counters on its own goroutines, and a scrape reads them.
// The progress line of 'hongbao ingest' reads the same counters (Snapshot).
package metrics

import (
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/lake"
	"github.com/hongbao/hongbao/internal/datadir"
)

// Path is where the metrics are served.
const Path = "/metrics"

// Ingest counts what one ingester does. Make it with New.
type Ingest struct {
	dir datadir.Dir

	// Read is the count of messages read: give it to ingest.Config.Consumed.
	Read atomic.Int64

	landed  map[string]*atomic.Int64 // lake table → rows committed
	commits atomic.Int64
	bytes   atomic.Int64

	mu          sync.Mutex
	quarantined map[events.Reason]int64
	partitions  map[int]position

	lastRefresh atomic.Int64 // unix nanoseconds of the last warehouse refresh; 0 before

	commitTime  prometheus.Histogram
	refreshTime prometheus.Histogram
	reg         *prometheus.Registry
}

type position struct{ next, hwm int64 }

// New makes the counters of an ingester landing in data folder dir.
func New(dir string) *Ingest {
	m := &Ingest{dir: datadir.Dir(dir), landed: map[string]*atomic.Int64{},
		quarantined: map[events.Reason]int64{}, partitions: map[int]position{}}
	for _, t := range events.Types {
		m.landed[t.Table()] = new(atomic.Int64)
	}
	// Every reason is there from the start, at 0, so that a rate over it has a
	// beginning and a dashboard shows the reasons that never happened.
	for _, r := range events.Reasons {
		m.quarantined[r] = 0
	}
	m.commitTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "hongbao_ingest_commit_duration_seconds",
		Help:    "Time to write one lake commit: its Parquet files, its marker, the renames.",
		Buckets: prometheus.ExponentialBuckets(0.005, 2, 12), // 5ms to about 10s
	})
	m.refreshTime = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "hongbao_ingest_warehouse_refresh_duration_seconds",
		Help:    "Time to refresh the DuckDB warehouse from the lake while ingest runs, and at its end.",
		Buckets: prometheus.ExponentialBuckets(0.1, 2, 12), // 100ms to about 7 minutes
	})
	m.reg = prometheus.NewRegistry()
	m.reg.MustRegister(m, m.commitTime, m.refreshTime)
	return m
}

// Position is the ingest.Observer's: partition p is read up to next, of a log that
// ended at hwm at the last fetch.
func (m *Ingest) Position(p int, next, hwm int64) {
	if hwm < 0 {
		return // no fetch answered yet: the lag is not known
	}
	m.mu.Lock()
	m.partitions[p] = position{next: next, hwm: hwm}
	m.mu.Unlock()
}

// Quarantined is the ingest.Observer's: one message refused for reason.
func (m *Ingest) Quarantined(reason events.Reason) {
	m.mu.Lock()
	m.quarantined[reason]++
	m.mu.Unlock()
}

// Committed is the ingest.Observer's: commit c is durable, after took.
func (m *Ingest) Committed(c *lake.Commit, took time.Duration) {
	m.commits.Add(1)
	m.commitTime.Observe(took.Seconds())
	for _, f := range c.Files {
		if n, ok := m.landed[f.Table]; ok {
			n.Add(f.Rows)
		}
		if st, err := os.Stat(filepath.Join(m.dir.LakeTable(f.Table), f.File)); err == nil {
			m.bytes.Add(st.Size())
		}
	}
}

// Refreshed records a warehouse refresh that took took.
func (m *Ingest) Refreshed(took time.Duration) {
	m.refreshTime.Observe(took.Seconds())
	m.lastRefresh.Store(time.Now().UnixNano())
}

// Snapshot is the counters at one instant.
type Snapshot struct {
	Read        int64
	Landed      int64 // event rows committed to the lake, all tables
	Quarantined int64
	Commits     int64
	Bytes       int64
	// Lag is the messages the partitions this ingester reads hold past what it read,
	// summed; -1 while no partition has answered a fetch.
	Lag int64
}

// Snapshot reads the counters.
func (m *Ingest) Snapshot() Snapshot {
	s := Snapshot{Read: m.Read.Load(), Commits: m.commits.Load(), Bytes: m.bytes.Load(), Lag: -1}
	for _, n := range m.landed {
		s.Landed += n.Load()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, n := range m.quarantined {
		s.Quarantined += n
	}
	for _, pos := range m.partitions {
		s.Lag = max(s.Lag, 0) + lag(pos)
	}
	return s
}

func lag(pos position) int64 { return max(0, pos.hwm-pos.next) }

var (
	messagesDesc = prometheus.NewDesc("hongbao_ingest_messages_total",
		"Messages read from Kafka (stage=read, type=all) and event rows landed in the lake by event type (stage=landed).",
		[]string{"stage", "type"}, nil)
	quarantinedDesc = prometheus.NewDesc("hongbao_ingest_quarantined_total",
		"Messages refused and kept in quarantine, by reason.", []string{"reason"}, nil)
	lagDesc = prometheus.NewDesc("hongbao_ingest_lag_messages",
		"Messages the partition holds past the ingester's position: high watermark at the last fetch minus the next offset to read.",
		[]string{"partition"}, nil)
	highWatermarkDesc = prometheus.NewDesc("hongbao_ingest_high_watermark",
		"The partition's high watermark (the offset after its last message) at the last fetch.", []string{"partition"}, nil)
	commitsDesc = prometheus.NewDesc("hongbao_ingest_commits_total",
		"Lake commits written (each a set of Parquet files and a commit marker).", nil, nil)
	bytesDesc = prometheus.NewDesc("hongbao_ingest_lake_bytes_written_total",
		"Bytes of Parquet files the lake commits wrote.", nil, nil)
	lastRefreshDesc = prometheus.NewDesc("hongbao_ingest_warehouse_refreshed_timestamp_seconds",
		"When the warehouse was last refreshed, in seconds since 1970; absent before the first refresh.", nil, nil)
)

// Describe is the prometheus.Collector's.
func (m *Ingest) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{messagesDesc, quarantinedDesc, lagDesc, highWatermarkDesc, commitsDesc, bytesDesc, lastRefreshDesc} {
		ch <- d
	}
}

// Collect is the prometheus.Collector's: the counters as they are now.
func (m *Ingest) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(messagesDesc, prometheus.CounterValue, float64(m.Read.Load()), "read", "all")
	for _, t := range events.Types {
		ch <- prometheus.MustNewConstMetric(messagesDesc, prometheus.CounterValue, float64(m.landed[t.Table()].Load()), "landed", string(t))
	}
	ch <- prometheus.MustNewConstMetric(commitsDesc, prometheus.CounterValue, float64(m.commits.Load()))
	ch <- prometheus.MustNewConstMetric(bytesDesc, prometheus.CounterValue, float64(m.bytes.Load()))
	if at := m.lastRefresh.Load(); at != 0 {
		ch <- prometheus.MustNewConstMetric(lastRefreshDesc, prometheus.GaugeValue, float64(at)/1e9)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	reasons := make([]events.Reason, 0, len(m.quarantined))
	for r := range m.quarantined {
		reasons = append(reasons, r)
	}
	slices.Sort(reasons)
	for _, r := range reasons {
		ch <- prometheus.MustNewConstMetric(quarantinedDesc, prometheus.CounterValue, float64(m.quarantined[r]), string(r))
	}
	for p, pos := range m.partitions {
		label := strconv.Itoa(p)
		ch <- prometheus.MustNewConstMetric(lagDesc, prometheus.GaugeValue, float64(lag(pos)), label)
		ch <- prometheus.MustNewConstMetric(highWatermarkDesc, prometheus.GaugeValue, float64(pos.hwm), label)
	}
}

// Handler serves the metrics in the Prometheus text format.
func (m *Ingest) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Server serves an Ingest's metrics on Path.
type Server struct {
	ln  net.Listener
	srv *http.Server
}

// Serve listens on addr (host:port; port 0 picks one) and serves the metrics on Path
// until Close. Which addresses may be used is the caller's rule.
func (m *Ingest) Serve(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(Path, m.Handler())
	s := &Server{ln: ln, srv: &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = ln.Close()
		}
	}()
	return s, nil
}

// URL is where the metrics are, with the port actually bound.
func (s *Server) URL() string { return "http://" + s.ln.Addr().String() + Path }

// Close stops serving.
func (s *Server) Close() error { return s.srv.Close() }
