package console

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/internal/testenv"
)

// chromium runs headless Chromium on url with args, and returns what it printed on
// standard output and on standard error.
func chromium(t *testing.T, url string, args ...string) (stdout, stderr string) {
	t.Helper()
	bin := testenv.Tool(t, "chromium", "chromium")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
		"--no-first-run", "--disable-extensions", "--enable-logging=stderr", "--v=0",
		"--user-data-dir=" + t.TempDir()}, args...)
	cmd := exec.CommandContext(ctx, bin, append(all, url)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, errOut.String())
	}
	return out.String(), errOut.String()
}

// consoleErrors are the lines of Chromium's log that come from the page's console:
// the console's pages write nothing there, so each is an error (an uncaught
// exception, a resource that failed to load, a refused by the content policy).
func consoleErrors(log string) []string {
	var bad []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, ":CONSOLE") {
			bad = append(bad, line)
		}
	}
	return bad
}

var (
	clockRe = regexp.MustCompile(`id="clock">([^<]*)<`)
	stateRe = regexp.MustCompile(`id="replay" data-state="([a-z]+)"`)
	peakRe  = regexp.MustCompile(`id="peak" class="peak" data-claims="([0-9]+)">([^<]*)<`)
	errorRe = regexp.MustCompile(`<div id="errors"[^>]*>([^<]*)<`)
)

// TestReplayInChromium plays the replay in headless Chromium at 600× for ten seconds
// of virtual time (the hour from 23:30 takes six), and reads the page as it stands:
// the clock went past midnight to the hour's end, the peak minute shows the peak's
// claims, and no script failed.
func TestReplayInChromium(t *testing.T) {
	dir, w := shared.Get(t)
	srv := serve(t, dir, "")
	for _, l := range []locale.Lang{locale.English, locale.Chinese} {
		dom, log := chromium(t, srv.URL+"/replay?speed=600&lang="+string(l), "--virtual-time-budget=10000", "--dump-dom")
		if bad := consoleErrors(log); len(bad) > 0 {
			t.Errorf("%s: console errors:\n%s", l, strings.Join(bad, "\n"))
		}
		if m := errorRe.FindStringSubmatch(dom); m == nil || strings.TrimSpace(m[1]) != "" {
			t.Errorf("%s: the page's error box is missing or shows %q", l, m)
		}
		if m := stateRe.FindStringSubmatch(dom); m == nil || m[1] != "done" {
			t.Errorf("%s: replay state %v, want done", l, m)
		}
		clock := clockRe.FindStringSubmatch(dom)
		if clock == nil {
			t.Fatalf("%s: no clock in the page:\n%s", l, dom)
		}
		// The hour runs from 23:30 before the peak minute to 00:29:59 after it.
		want := strings.Replace(w.peakMinute, " 00:00", " 00:29:59 CST", 1)
		if clock[1] != want {
			t.Errorf("%s: the clock stopped at %q, want %q", l, clock[1], want)
		}
		peak := peakRe.FindStringSubmatch(dom)
		if peak == nil {
			t.Fatalf("%s: no peak count in the page:\n%s", l, dom)
		}
		if peak[1] != fmt.Sprint(w.peakClaims) || !strings.Contains(peak[2], locale.Int(w.peakClaims)) || !strings.Contains(peak[2], w.peakMinute) {
			t.Errorf("%s: the page shows %q (%s claims); the events' peak is %s with %d claims", l, peak[2], peak[1], w.peakMinute, w.peakClaims)
		}
	}

	// Stopped at a few minutes past midnight (from 23:59 at 60× for 5 s of virtual
	// time), the clock is past 00:00 and the peak minute is shown.
	dom, _ := chromium(t, srv.URL+"/replay?speed=60&from=-60", "--virtual-time-budget=5000", "--dump-dom")
	clock := clockRe.FindStringSubmatch(dom)
	if clock == nil || !strings.HasPrefix(clock[1], strings.Split(w.peakMinute, " ")[0]+" 00:0") {
		t.Errorf("from 23:59 at 60× for 5 s, the clock shows %v; want a few minutes past the peak minute", clock)
	}
	if peakRe.FindStringSubmatch(dom) == nil {
		t.Errorf("past the peak minute, the page does not show the peak")
	}
}

// TestScreenshots takes a screenshot of every page, in both languages, and checks
// each is a picture of some size. HONGBAO_SCREENSHOTS=DIR keeps them there to look at.
func TestScreenshots(t *testing.T) {
	dir, _ := shared.Get(t)
	srv := serve(t, dir, "")
	out := os.Getenv("HONGBAO_SCREENSHOTS")
	if out == "" {
		out = t.TempDir()
	} else if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	shots := map[string]string{
		"overview": "/", "replay": "/replay?speed=800", "facts": "/facts", "report": "/report",
		"notebooks": "/notebooks", "notebook": "/notebooks/midnight_peak?run=1",
	}
	for name, path := range shots {
		for _, l := range []string{"en", "zh"} {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			file := filepath.Join(out, name+"."+l+".png")
			_, log := chromium(t, srv.URL+path+sep+"lang="+l, "--window-size=1280,1000", "--virtual-time-budget=3000", "--screenshot="+file)
			if bad := consoleErrors(log); len(bad) > 0 {
				t.Errorf("%s (%s): console errors:\n%s", name, l, strings.Join(bad, "\n"))
			}
			info, err := os.Stat(file)
			if err != nil || info.Size() < 20_000 {
				t.Errorf("%s (%s): screenshot %v (%v)", name, l, info, err)
			}
		}
	}
}
