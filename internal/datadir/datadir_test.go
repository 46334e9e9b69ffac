package datadir

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLayout(t *testing.T) {
	d := Dir(filepath.Join("data", "hb"))
	for _, c := range []struct{ got, want string }{
		{d.Lake(), "data/hb/lake"},
		{d.LakeTable("grabs"), "data/hb/lake/grabs"},
		{d.Warehouse(), "data/hb/warehouse.duckdb"},
		{d.WarehouseWAL(), "data/hb/warehouse.duckdb.wal"},
		{d.RunRecord(), "data/hb/run.json"},
		{d.Banks(), "data/hb/banks.csv"},
		{d.Reports(), "data/hb/reports"},
		{d.NotebookPage("midnight_peak"), "data/hb/notebooks/midnight_peak.html"},
		{d.Broker(), "data/hb/broker"},
		{d.RefreshLock(), "data/hb/.refresh.lock"},
		{d.SQLHistory(), "data/hb/.hongbao_history"},
	} {
		if c.got != filepath.FromSlash(c.want) {
			t.Errorf("got %s, want %s", c.got, filepath.FromSlash(c.want))
		}
	}
	// The paths are clean, whatever the folder was given as.
	if got := Dir("./hb/").Broker(); got != filepath.FromSlash("hb/broker") {
		t.Errorf("Dir(./hb/).Broker() = %s, want hb/broker", got)
	}
}

// TestDemoFolder: a folder is a demo's when the demo marked it; Clear removes what
// hongbao wrote there, notebook pages included, and nothing else.
func TestDemoFolder(t *testing.T) {
	d := Dir(filepath.Join(t.TempDir(), "new"))
	if empty, err := d.Empty(); !empty || err != nil {
		t.Fatalf("a missing folder: empty %v, %v; want empty", empty, err)
	}
	if d.HoldsDemo() {
		t.Error("a missing folder holds a demo")
	}
	if err := d.MarkDemo(); err != nil {
		t.Fatal(err)
	}
	if empty, err := d.Empty(); empty || err != nil {
		t.Errorf("a marked folder: empty %v, %v; want not empty", empty, err)
	}
	if !d.HoldsDemo() {
		t.Error("a marked folder does not hold a demo")
	}

	// Everything a demo and the commands after it write.
	for _, dir := range []string{d.LakeTable("grabs"), d.Reports(), d.Broker(), filepath.Dir(d.NotebookPage("x"))} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(d.LakeTable("grabs"), "a.parquet"), d.Warehouse(), d.WarehouseWAL(),
		d.RunRecord(), d.Banks(), filepath.Join(d.Reports(), "hongbao-report.pdf"), d.NotebookPage("midnight_peak"),
		filepath.Join(d.Broker(), "topic"), d.RefreshLock(), d.SQLHistory(), filepath.Join(string(d), "thesis.tex")} {
		if err := os.WriteFile(f, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.Clear(); err != nil {
		t.Fatal(err)
	}
	if got, want := names(t, d), []string{".hongbao-demo", ".hongbao_history", "thesis.tex"}; !slices.Equal(got, want) {
		t.Errorf("after Clear the folder holds %v, want %v", got, want)
	}

	other := Dir(t.TempDir())
	if err := os.WriteFile(filepath.Join(string(other), "thesis.tex"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if empty, err := other.Empty(); empty || err != nil || other.HoldsDemo() {
		t.Errorf("a folder of other data: empty %v, %v, holds a demo %v; want neither", empty, err, other.HoldsDemo())
	}
}

func names(t *testing.T, d Dir) []string {
	t.Helper()
	entries, err := os.ReadDir(string(d))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteBanks(t *testing.T) {
	d := Dir(t.TempDir())
	if err := d.WriteBanks([]byte("bank,share\n")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(d.Banks()); err != nil || string(b) != "bank,share\n" {
		t.Errorf("banks.csv %q, %v", b, err)
	}
	if err := d.WriteBanks(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(d.Banks()); !os.IsNotExist(err) {
		t.Errorf("banks.csv after WriteBanks(nil): %v, want none", err)
	}
	if err := d.WriteBanks(nil); err != nil {
		t.Errorf("WriteBanks(nil) without a bank table: %v", err)
	}
}

// TestHolds: a path is in a folder by where it really is: a file not made yet, one
// reached through a link into the folder, the folder itself; a sibling whose name
// starts the same is not.
func TestHolds(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "data")
	if err := os.MkdirAll(filepath.Join(dir, "lake"), 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(root, "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		dir:                                    true,
		filepath.Join(dir, "warehouse.duckdb"): true,
		filepath.Join(dir, "new", "deeper", "x.html"): true,
		filepath.Join(link, "run.json"):               true,
		filepath.Join(link, "lake", "not-yet", "x"):   true,
		filepath.Join(root, "data2", "x.csv"):         false,
		filepath.Join(root, "x.csv"):                  false,
		filepath.Join(dir, "..", "x.csv"):             false,
	} {
		if got := Holds(dir, path); got != want {
			t.Errorf("Holds(%s, %s) = %v, want %v", dir, path, got, want)
		}
	}
}
