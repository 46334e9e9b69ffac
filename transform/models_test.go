package transform

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/testworld"
)

// modelGoldens holds the expected rows of each model on the test world, one
// <model>.csv each; 'go test ./transform -run TestModelGoldens -update' rewrites them.
var modelGoldens = filepath.Join("testdata", "models")

// modelWorld is the festival world (testworld.Festival: events of every table, so that
// every model has rows) with one tie added: a second Alipay try of u5 at the instant of
// s1jy-b6 (HXB, ok), which lands later but is first by event_id (s1jy-b0: DBS, refused),
// so that user_bindings must break the tie by event_id, not by the order rows arrive in.
func modelWorld(t *testing.T) *Warehouse {
	t.Helper()
	dir := t.TempDir()
	testworld.Festival(t, dir).Add(1,
		testworld.Binding("s1jy-b0", testworld.TS("2014-01-31 01:30:00+08"), "u5", "alipay", "DBS", "bank_not_supported"),
	).Commit()
	return testworld.Refreshed(t, Open, dir)
}

// TestModelGoldens builds the warehouse of modelWorld and compares each model's rows,
// ordered by every column, with its CSV in testdata/models: a change to a model that
// changes a result shows here, row by row.
func TestModelGoldens(t *testing.T) {
	w := modelWorld(t)
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
		if want := testworld.Golden(t, path, b, *update); string(b) != string(want) {
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

// TestModelsInParts: the refresh builds user_grabs and user_funnel in userParts passes,
// one share of the users each; the same file run as one pass gives the same rows, and
// the passes hold disjoint users that together make the whole.
func TestModelsInParts(t *testing.T) {
	w := modelWorld(t)
	ms, err := loadModels(modelFiles)
	if err != nil {
		t.Fatal(err)
	}
	windows, err := datadir.Dir(w.dir).Windows()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	count := func(q string) int64 {
		t.Helper()
		var n int64
		if err := w.DB().QueryRowContext(ctx, "SELECT count(*) FROM ("+q+")").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	var inParts []string
	for _, m := range ms {
		if m.parts() == 1 {
			continue
		}
		inParts = append(inParts, m.name)
		if got := m.parts(); got != userParts {
			t.Fatalf("%s builds in %d passes, want %d", m.name, got, userParts)
		}
		whole, built := count(m.pass(0, 1, windows)), count("SELECT * FROM "+m.name)
		both := count("(" + m.pass(0, 1, windows) + ") INTERSECT ALL (SELECT * FROM " + m.name + ")")
		if whole == 0 || whole != built || both != built {
			t.Errorf("%s: %d rows in one pass, %d built in parts, %d in both", m.name, whole, built, both)
		}
		var sum, nonEmpty int64
		for i := range userParts {
			n := count(m.pass(i, userParts, windows))
			sum += n
			if n > 0 {
				nonEmpty++
			}
		}
		if sum != whole || nonEmpty < 2 {
			t.Errorf("%s: the %d passes hold %d rows (%d passes not empty), want %d in all", m.name, userParts, sum, nonEmpty, whole)
		}
	}
	if !slices.Equal(inParts, []string{"user_grabs", "user_funnel"}) {
		t.Errorf("the models built in parts are %v, want user_grabs and user_funnel", inParts)
	}
}
