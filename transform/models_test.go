package transform

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// modelGoldens holds the expected rows of each model on the test world, one
// <model>.csv each; 'go test ./transform -run TestModelGoldens -update' rewrites them.
var modelGoldens = filepath.Join("testdata", "models")

// TestModelGoldens builds the warehouse of the test world (internal/testworld) and
// compares each model's rows, ordered by every column, with its CSV in
// testdata/models: a change to a model that changes a result shows here, row by row.
func TestModelGoldens(t *testing.T) {
	_, w := refreshed(t)
	names := Models()
	for _, name := range names {
		got := filepath.Join(t.TempDir(), name+".csv")
		q := "COPY (SELECT * FROM " + quoteIdent(name) + " ORDER BY ALL) TO " + QuoteString(got) + " (HEADER, DELIMITER ',')"
		if _, err := w.DB().ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, err := os.ReadFile(got)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(modelGoldens, name+".csv")
		if *update {
			if err := os.MkdirAll(modelGoldens, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if string(b) != string(want) {
			t.Errorf("model %s differs from %s:\ngot:\n%s\nwant:\n%s", name, path, b, want)
		}
	}
	files, _ := filepath.Glob(filepath.Join(modelGoldens, "*.csv"))
	for _, f := range files {
		if name := strings.TrimSuffix(filepath.Base(f), ".csv"); !slices.Contains(names, name) {
			t.Errorf("%s is the golden of no model: remove it", f)
		}
	}
}
