package console

import (
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/ingest/metrics"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/notebooks"
	"github.com/hongbao/hongbao/transform"
)

// serve starts the console of dir.
func serve(t *testing.T, dir, metricsURL string) *httptest.Server {
	t.Helper()
	c, err := New(Config{Dir: dir, MetricsURL: metricsURL})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return srv
}

// get fetches path and returns its body, failing the test unless it answers want.
func get(t *testing.T, srv *httptest.Server, path string, want int) string {
	t.Helper()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %s, want %d\n%s", path, resp.Status, want, body)
	}
	return string(body)
}

// pages are every page of the console, with a text each must show in English.
func pages() map[string]string {
	p := map[string]string{
		"/":                 "Quarantine by reason",
		"/replay":           "Midnight replay",
		"/facts":            "reproduced",
		"/report":           "hongbao report",
		"/notebooks":        "midnight_peak",
		"/static/replay.js": "virtual-time-budget",
		"/static/style.css": "--red",
	}
	for _, name := range notebooks.Shipped() {
		p["/notebooks/"+name] = "Run (read-only)"
		p["/notebooks/"+name+"/run"] = "all ok"
	}
	return p
}

// TestEveryPageAnswers fetches every page in both languages, and checks what the
// overview and the replay's data say against the world.
func TestEveryPageAnswers(t *testing.T) {
	dir, w := shared.Get(t)
	srv := serve(t, dir, "")
	for path, text := range pages() {
		if body := get(t, srv, path, http.StatusOK); !strings.Contains(body, text) {
			t.Errorf("GET %s does not show %q", path, text)
		}
	}
	for _, path := range []string{"/?lang=zh", "/replay?lang=zh", "/facts?lang=zh", "/notebooks?lang=zh", "/report?lang=zh"} {
		body := get(t, srv, path, http.StatusOK)
		if !strings.Contains(body, `lang="zh-CN"`) || !strings.Contains(body, "零点回放") {
			t.Errorf("GET %s is not in Chinese", path)
		}
	}

	overview := get(t, srv, "/?lang=en", http.StatusOK)
	for _, want := range []string{locale.Int(w.grabs), "not_json", "<b id=\"lake-commits\">"} {
		if !strings.Contains(overview, want) {
			t.Errorf("the overview does not show %q", want)
		}
	}

	var d replayData
	if err := json.Unmarshal([]byte(get(t, srv, "/api/replay", http.StatusOK)), &d); err != nil {
		t.Fatal(err)
	}
	if got := strings.Replace(d.Peak, "T", " ", 1)[:16]; got != w.peakMinute || d.PeakClaims != w.peakClaims {
		t.Errorf("replay peak %s with %d claims; the events say %s with %d", d.Peak, d.PeakClaims, w.peakMinute, w.peakClaims)
	}
	var claims, inPeak int64
	for _, s := range d.Seconds {
		if s[0] < -1800 || s[0] >= 1800 || s[1] > s[2] {
			t.Fatalf("replay second %v out of the hour, or more claims than attempts", s)
		}
		claims += s[1]
		if s[0] >= 0 && s[0] < 60 {
			inPeak += s[1]
		}
	}
	if inPeak != w.peakClaims {
		t.Errorf("the replay's seconds of the peak minute add up to %d claims, want %d", inPeak, w.peakClaims)
	}
	if want := 25000 * worldScale; d.Reported != want {
		t.Errorf("reported line at %g a minute, want 25,000 × %g = %g", d.Reported, worldScale, want)
	}

	// Only the files the report page lists are served.
	get(t, srv, "/report/..%2frun.json", http.StatusNotFound)
	get(t, srv, "/notebooks/..%2f..%2fetc%2fpasswd", http.StatusNotFound)
	get(t, srv, "/notebooks/nosuch/run", http.StatusNotFound)
}

// TestReportFiles shows the report's PDF and the charts of the page's language.
func TestReportFiles(t *testing.T) {
	dir := t.TempDir()
	reports := datadir.Dir(dir).Reports()
	if err := os.MkdirAll(reports, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"hongbao-report.pdf", "01-peak.en.png", "01-peak.zh.png", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(reports, name), []byte("%PDF-1.3 "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, dir, "")
	en := get(t, srv, "/report?lang=en", http.StatusOK)
	if !strings.Contains(en, "/report/hongbao-report.pdf") || !strings.Contains(en, "01-peak.en.png") || strings.Contains(en, "01-peak.zh.png") {
		t.Errorf("the English report page lists the wrong files:\n%s", en)
	}
	if zh := get(t, srv, "/report?lang=zh", http.StatusOK); !strings.Contains(zh, "01-peak.zh.png") || strings.Contains(zh, "01-peak.en.png") {
		t.Errorf("the Chinese report page lists the wrong charts")
	}
	if body := get(t, srv, "/report/hongbao-report.pdf", http.StatusOK); !strings.HasPrefix(body, "%PDF") {
		t.Errorf("the PDF came back as %q", body)
	}
	get(t, srv, "/report/notes.txt", http.StatusNotFound)
	// Without a warehouse, pages still answer and say what to do.
	if body := get(t, srv, "/", http.StatusOK); !strings.Contains(body, "hongbao demo") {
		t.Errorf("the overview of a folder without a warehouse does not say to run the demo")
	}
}

// TestWritesNothing fetches every page and checks the data folder is as it was: no
// file added, removed, grown or touched.
func TestWritesNothing(t *testing.T) {
	dir, _ := shared.Get(t)
	before := snapshot(t, dir)
	srv := serve(t, dir, "")
	for path := range pages() {
		get(t, srv, path, http.StatusOK)
	}
	get(t, srv, "/api/replay", http.StatusOK)
	after := snapshot(t, dir)
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		} else if a != b {
			t.Errorf("%s changed: %s, then %s", p, b, a)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was written", p)
		}
	}
}

func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[p] = "dir"
			return nil
		}
		out[p] = info.ModTime().Format(time.RFC3339Nano) + " " + info.Mode().String() + " " + fmtSize(info.Size())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func fmtSize(n int64) string { return locale.Int(n) + " bytes" }

// TestLiveFromIngesterMetrics points the console at an ingester's metrics and reads
// its figures back from /api/live.
func TestLiveFromIngesterMetrics(t *testing.T) {
	dir := t.TempDir()
	m := metrics.New(dir)
	m.Read.Add(1234)
	m.Position(0, 100, 150)
	m.Position(1, 7, 10)
	msrv, err := m.Serve("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer msrv.Close()
	srv := serve(t, dir, msrv.URL())
	var l live
	if err := json.Unmarshal([]byte(get(t, srv, "/api/live", http.StatusOK)), &l); err != nil {
		t.Fatal(err)
	}
	if !l.Up || l.Read != 1234 || l.Lag != 53 {
		t.Errorf("live %+v; want up, 1234 read, lag 53", l)
	}
	m.Read.Add(1000)
	if err := json.Unmarshal([]byte(get(t, srv, "/api/live", http.StatusOK)), &l); err != nil {
		t.Fatal(err)
	}
	if l.Read != 2234 || l.Rate <= 0 {
		t.Errorf("second look %+v; want 2234 read at a positive rate", l)
	}
	msrv.Close()
	if err := json.Unmarshal([]byte(get(t, srv, "/api/live", http.StatusOK)), &l); err != nil {
		t.Fatal(err)
	}
	if l.Up || l.Error == "" {
		t.Errorf("with the ingester gone, live %+v; want down with a reason", l)
	}
}

// TestLoopbackOnly refuses a request whose Host is not a loopback name, as a page that
// rebinds its own name to 127.0.0.1 would send.
func TestLoopbackOnly(t *testing.T) {
	c, err := New(Config{Dir: t.TempDir(), LoopbackOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]int{"127.0.0.1:8080": 200, "localhost:8080": 200, "[::1]:8080": 200, "evil.example:8080": 421, "10.0.0.1": 421} {
		r := httptest.NewRequest(http.MethodGet, "http://"+host+"/notebooks", nil)
		w := httptest.NewRecorder()
		c.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("Host %s: %d, want %d", host, w.Code, want)
		}
	}
}

// TestLiveRefusesWhatIsNotAnIngester: the metrics address may answer with another
// program's metrics (9464 is also OpenTelemetry's Prometheus port), with values no
// counter holds, or with no end of bytes. None of it shows as a running ingester, and
// /api/live still answers with JSON that says why.
func TestLiveRefusesWhatIsNotAnIngester(t *testing.T) {
	cases := []struct {
		name, body, reason string
	}{
		{"another exporter", "# TYPE otel_scope_info gauge\notel_scope_info{otel_scope_name=\"x\"} 1\n", "not with a hongbao ingester's metrics"},
		{"NaN", "# TYPE hongbao_ingest_messages_total counter\nhongbao_ingest_messages_total{stage=\"read\",type=\"all\"} NaN\n", "NaN"},
		{"infinite lag", "# TYPE hongbao_ingest_messages_total counter\nhongbao_ingest_messages_total{stage=\"read\",type=\"all\"} 5\n" +
			"# TYPE hongbao_ingest_lag_messages gauge\nhongbao_ingest_lag_messages{partition=\"0\"} +Inf\n", "hongbao_ingest_lag_messages"},
		{"endless", strings.Repeat("# a comment line that goes on and on\n", 200_000), "more than 4,194,304 bytes"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				_, _ = io.WriteString(w, tc.body)
			}))
			defer other.Close()
			srv := serve(t, t.TempDir(), other.URL+"/metrics")
			var l live
			if err := json.Unmarshal([]byte(get(t, srv, "/api/live", http.StatusOK)), &l); err != nil {
				t.Fatal(err)
			}
			if l.Up || !strings.Contains(l.Error, tc.reason) {
				t.Errorf("live %+v; want down, the error saying %q", l, tc.reason)
			}
		})
	}
}

// TestEmptyWarehouse: before any event is ingested every page still answers, and the
// replay says what to run instead of DuckDB's 'no rows in result set'.
func TestEmptyWarehouse(t *testing.T) {
	dir := t.TempDir()
	testworld.New(t, dir)
	testworld.Refresh(t, transform.Open, dir)
	srv := serve(t, dir, "")
	for path := range pages() {
		get(t, srv, path, http.StatusOK)
	}
	for l, want := range map[string]string{"en": "the warehouse holds no claimed grabs yet: run 'hongbao demo'", "zh": "仓库里还没有领取记录"} {
		if got := get(t, srv, "/api/replay?lang="+l, http.StatusNotFound); !strings.Contains(got, want) {
			t.Errorf("/api/replay?lang=%s on an empty warehouse: %q, want %q", l, got, want)
		}
	}
}
