package facts

import (
	"regexp"
	"testing"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/refdata"
)

// TestQueryFiles checks that every file in queries/ is the query of a figure or a
// consistency check, and that the run's windows fill every placeholder.
func TestQueryFiles(t *testing.T) {
	used := map[string]bool{"check_window": true, "check_window_from_models": true, "check_attempts": true, "check_envelope": true, "festival_windows": true, "grabs_in_window": true}
	for name := range queries {
		for _, sp := range specs {
			if sp.query == queries.Query(name) || sp.fromModel == queries.Query(name) {
				used[name] = true
			}
		}
		for _, byID := range readingSpecs {
			for _, sp := range byID {
				if sp.query == queries.Query(name) || sp.fromModel == queries.Query(name) {
					used[name] = true
				}
			}
		}
		if !used[name] {
			t.Errorf("queries/%s.sql is the query of no figure or check", name)
		}
		if left := regexp.MustCompile(`\{[a-z_]+\}`).FindString(render(queries.Query(name), datadir.Default2014())); left != "" {
			t.Errorf("queries/%s.sql: placeholder %s has no value", name, left)
		}
	}
}

// TestSpecsNameRegistryFacts: a figure of specs.json that the registry lacks would never
// be judged, so a misspelt id fails here rather than vanishing from the sheet.
func TestSpecsNameRegistryFacts(t *testing.T) {
	known := map[string]bool{}
	for _, f := range refdata.Facts() {
		known[f.ID] = true
	}
	for id := range specs {
		if !known[id] {
			t.Errorf("specs.json names %q, which refdata/facts.json lacks", id)
		}
	}
	readings := map[string]bool{}
	for _, r := range refdata.Readings() {
		readings[r.ID] = true
	}
	for reading, byID := range readingSpecs {
		if !readings[reading] {
			t.Errorf("specs.json has reading %q, which refdata/facts.json lacks", reading)
		}
		for id := range byID {
			if _, ok := specs[id]; !ok {
				t.Errorf("specs.json: reading %s of %q, which has no entry of its own", reading, id)
			}
		}
	}
	if len(specs) < 15 {
		t.Errorf("specs.json holds %d figures; the sheet reproduces 17", len(specs))
	}
}
