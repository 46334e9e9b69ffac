package console

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// peakComputed is the busiest minute's claims as the cached measures have it.
func peakComputed(t *testing.T, c *Console) float64 {
	t.Helper()
	for _, r := range c.factsCache.measures.Sheet("en").Results {
		if r.ID == "peak_opens_per_minute" && r.Computed != nil {
			return *r.Computed
		}
	}
	t.Fatal("the sheet has no computed peak_opens_per_minute")
	return 0
}

// TestFactsFollowTheWarehouse: the facts page measures the warehouse once for a state
// of it (that reads the events and the models: 3-4 s at full scale), answers both languages
// from it while nothing changes, and measures again after a refresh brings new events.
func TestFactsFollowTheWarehouse(t *testing.T) {
	dir, w := testworld.SmallRefreshed(t, transform.Open)
	c, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)

	first := get(t, srv, "/facts", 200)
	again := get(t, srv, "/facts", 200)
	if c.factsCache.measured != 1 || first != again {
		t.Fatalf("two requests on one warehouse measured it %d times (want 1); same page: %v", c.factsCache.measured, first == again)
	}
	if p := peakComputed(t, c); p != 3 {
		t.Fatalf("peak minute %v claims, want the 3 of 2014-01-31 00:00", p)
	}
	if zh := get(t, srv, "/facts?lang=zh", 200); c.factsCache.measured != 1 || !strings.Contains(zh, "事实核对") {
		t.Fatalf("the Chinese sheet measured the warehouse again (%d times) or is not in Chinese", c.factsCache.measured)
	}

	// Four more claims at 00:00 land and the warehouse is refreshed.
	w.Add(1,
		testworld.Envelope("e3", testworld.TS("2014-01-30 16:00:02+00"), "env3", "u0", "chat3", "lucky", 4000, 4),
		testworld.Claim("g7", testworld.TS("2014-01-30 16:00:03+00"), "env3", "u7", 1000),
		testworld.Claim("g8", testworld.TS("2014-01-30 16:00:04+00"), "env3", "u8", 1000),
		testworld.Claim("g9", testworld.TS("2014-01-30 16:00:05+00"), "env3", "u9", 1000),
		testworld.Claim("g10", testworld.TS("2014-01-30 16:00:06+00"), "env3", "u10", 1000)).Commit()
	testworld.Refresh(t, transform.Open, dir)
	after := get(t, srv, "/facts", 200)
	if c.factsCache.measured != 2 || after == first {
		t.Fatalf("after a refresh: measured %d times (want 2), page changed: %v", c.factsCache.measured, after != first)
	}
	if p := peakComputed(t, c); p != 7 {
		t.Fatalf("peak minute %v claims after the refresh, want 7", p)
	}
	if !strings.Contains(after, "reproduced") && !strings.Contains(after, "not_reproduced") {
		t.Errorf("the page shows no verdicts")
	}
}
