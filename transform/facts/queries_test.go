package facts

import (
	"regexp"
	"testing"

	"github.com/hongbao/hongbao/internal/datadir"
)

// TestQueryFiles checks that every file in queries/ is the query of a figure or a
// consistency check, and that the run's windows fill every placeholder.
func TestQueryFiles(t *testing.T) {
	used := map[string]bool{"check_window": true, "check_attempts": true, "check_envelope": true}
	for name := range queries {
		for _, sp := range specs {
			if sp.query == queries.Query(name) {
				used[name] = true
			}
		}
		for _, byID := range readingSpecs {
			for _, sp := range byID {
				if sp.query == queries.Query(name) {
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
