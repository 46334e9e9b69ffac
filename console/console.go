// Package console is 'hongbao serve': a local web console over a data folder. It shows
// what the folder holds (run record, tables, quarantine, lake commits) and a running
// ingester's rate and lag, replays the hour around the peak minute from the
// warehouse, and shows the facts sheet, the report and the shipped notebooks.
//
// Everything it needs is embedded (pages, styles, scripts; no CDN), and it writes
// nothing to the data folder: the warehouse is opened through the read-only query
// sandbox for each request and closed after it, so a refresh of the warehouse by a
// running ingester is never kept waiting for long.
package console

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/sqlfile"
	"github.com/hongbao/hongbao/query"
)

//go:embed assets
var assets embed.FS

//go:embed sql/*.sql
var sqlFS embed.FS

// queries are the console's SQL files, by name.
var queries = func() map[string]string {
	files, err := sqlfile.Load(sqlFS, "sql/*.sql")
	if err != nil {
		panic(err)
	}
	m := map[string]string{}
	for _, f := range files {
		m[f.Name] = f.SQL
	}
	return m
}()

// Config says what the console shows.
type Config struct {
	// Dir is the data folder.
	Dir string
	// MetricsURL is a running ingester's /metrics ('hongbao ingest --metrics-addr');
	// empty shows no live figures.
	MetricsURL string
	// LoopbackOnly answers only requests addressed to a loopback host (localhost,
	// 127.0.0.1, [::1]) in their Host header: a console on loopback then cannot be
	// read by a web page that points a name of its own at 127.0.0.1 (DNS rebinding).
	LoopbackOnly bool
}

// Console serves the pages. Make it with New.
type Console struct {
	cfg   Config
	pages map[string]*template.Template
	mux   *http.ServeMux
	live  liveRate

	factsCache factsCache
}

// DefaultMetricsURL is where the overview looks for an ingester's metrics unless told
// otherwise: 'hongbao ingest --metrics-addr 127.0.0.1:9464'.
const DefaultMetricsURL = "http://127.0.0.1:9464/metrics"

// New makes the console of cfg.Dir.
func New(cfg Config) (*Console, error) {
	c := &Console{cfg: cfg, pages: map[string]*template.Template{}, mux: http.NewServeMux()}
	for _, name := range []string{"overview", "replay", "facts", "report", "notebooks", "notebook"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "assets/layout.html", "assets/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("console page %s: %w", name, err)
		}
		c.pages[name] = t
	}
	static, err := fs.Sub(assets, "assets")
	if err != nil {
		return nil, err
	}
	c.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	c.mux.HandleFunc("GET /{$}", c.overview)
	c.mux.HandleFunc("GET /replay", c.replay)
	c.mux.HandleFunc("GET /api/replay", c.replayData)
	c.mux.HandleFunc("GET /api/live", c.liveData)
	c.mux.HandleFunc("GET /facts", c.facts)
	c.mux.HandleFunc("GET /report", c.report)
	c.mux.HandleFunc("GET /report/{file}", c.reportFile)
	c.mux.HandleFunc("GET /notebooks", c.notebooks)
	c.mux.HandleFunc("GET /notebooks/{name}", c.notebook)
	c.mux.HandleFunc("GET /notebooks/{name}/run", c.notebookRun)
	return c, nil
}

// ServeHTTP serves the console.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if c.cfg.LoopbackOnly && !loopbackHost(r.Host) {
		http.Error(w, "this console answers on localhost only", http.StatusMisdirectedRequest)
		return
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-src 'self'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	c.mux.ServeHTTP(w, r)
}

// loopbackHost reports whether a Host header names this machine by a loopback
// address or localhost.
func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// lang is the page's language: ?lang= (remembered in a cookie), else the cookie, else
// the browser's first choice between Chinese and English.
func lang(w http.ResponseWriter, r *http.Request) locale.Lang {
	switch l := r.URL.Query().Get("lang"); l {
	case "zh", "en":
		http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", SameSite: http.SameSiteStrictMode})
		return locale.Lang(l)
	}
	if ck, err := r.Cookie("lang"); err == nil && (ck.Value == "zh" || ck.Value == "en") {
		return locale.Lang(ck.Value)
	}
	if strings.HasPrefix(r.Header.Get("Accept-Language"), "zh") {
		return locale.Chinese
	}
	return locale.English
}

// page is what every page template gets.
type page struct {
	Lang  locale.Lang
	Path  string // the request's path, for the language switch
	Title string
	Nav   string // the page's nav entry
	Dir   string
	Error string // a sentence when the page cannot show its data
	Data  any
}

// T picks the page's language of a text given in both.
func (p *page) T(zh, en string) string { return p.Lang.Pick(zh, en) }

// Other is the other language, for the switch.
func (p *page) Other() locale.Lang {
	if p.Lang == locale.Chinese {
		return locale.English
	}
	return locale.Chinese
}

var funcs = template.FuncMap{
	"int": func(n int64) string { return locale.Int(n) },
	"cst": func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(locale.Zone).Format("2006-01-02 15:04:05") + " CST"
	},
	"bytes": humanBytes,
	"deref": func(f *float64) float64 { return *f },
	// figure writes a facts-sheet number: digits in threes, a date as its digits.
	"figure": func(kind string, v float64) string {
		if kind == "date" {
			return strconv.FormatFloat(v, 'f', 0, 64)
		}
		return locale.Number(v)
	},
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return locale.Fixed(float64(n)/(1<<30), 1) + " GiB"
	case n >= 1<<20:
		return locale.Fixed(float64(n)/(1<<20), 1) + " MiB"
	case n >= 1<<10:
		return locale.Fixed(float64(n)/(1<<10), 1) + " KiB"
	}
	return locale.Int(n) + " B"
}

// render writes page name.
func (c *Console) render(w http.ResponseWriter, r *http.Request, name, nav string, title [2]string, data any, err error) {
	l := lang(w, r)
	p := &page{Lang: l, Path: r.URL.Path, Title: l.Pick(title[0], title[1]), Nav: nav, Dir: c.cfg.Dir, Data: data}
	if err != nil {
		p.Error = err.Error()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := c.pages[name].Execute(w, p); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// sandboxes serializes the opening of sandboxes: DuckDB opens one database at a time
// well, and a console has one reader.
var sandboxes sync.Mutex

// withSandbox runs f on the warehouse opened read-only through the query sandbox, and
// closes it after.
func (c *Console) withSandbox(ctx context.Context, f func(*query.Sandbox) error) error {
	sandboxes.Lock()
	defer sandboxes.Unlock()
	sb, err := query.OpenSandbox(c.cfg.Dir, query.SandboxOptions{})
	if err != nil {
		return fmt.Errorf("%w (run 'hongbao demo' or 'hongbao transform --dir %s' first)", err, c.cfg.Dir)
	}
	defer sb.Close()
	return f(sb)
}

// queryRows runs one of the console's queries, which take no arguments.
func queryRows(ctx context.Context, sb *query.Sandbox, name string) (*query.Result, error) {
	q, ok := queries[name]
	if !ok {
		return nil, errors.New("console: no query " + name)
	}
	res, err := query.Query(ctx, sb.DB(), q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return res, nil
}
