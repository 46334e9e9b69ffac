package testworld

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Warehouse is what the tests ask of a warehouse (transform.Warehouse). testworld sits
// below transform, whose tests use it, so a caller passes transform's opener.
type Warehouse interface {
	Refresh(context.Context) error
	io.Closer
}

// Open opens the warehouse of dir with open (transform.Open, transform.OpenReadOnly),
// and closes it when the test ends.
func Open[W io.Closer](t testing.TB, open func(dir string) (W, error), dir string) W {
	t.Helper()
	w, err := open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// Refreshed opens the warehouse of dir with open (transform.Open) and refreshes it
// from the lake, as 'hongbao transform' does; it is closed when the test ends.
func Refreshed[W Warehouse](t testing.TB, open func(dir string) (W, error), dir string) W {
	t.Helper()
	w := Open(t, open, dir)
	if err := w.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

// Refresh is Refreshed, closing the warehouse at once, for tests that open it
// afterwards (read-only).
func Refresh[W Warehouse](t testing.TB, open func(dir string) (W, error), dir string) {
	t.Helper()
	if err := Refreshed(t, open, dir).Close(); err != nil {
		t.Fatal(err)
	}
}

// SmallRefreshed builds the Small world in a new temporary data folder and refreshes
// its warehouse with open (transform.Open), closing it again, for a test that opens
// the folder itself (a sandbox, a console, 'hongbao serve'). It returns the folder and
// the world, to add to.
func SmallRefreshed[W Warehouse](t testing.TB, open func(dir string) (W, error)) (dir string, world *World) {
	t.Helper()
	dir = t.TempDir()
	world = Small(t, dir)
	Refresh(t, open, dir)
	return dir, world
}

// QueryInt runs a query of one integer (NULL reads as 0) and fails t on an error.
func QueryInt(t testing.TB, db *sql.DB, q string) int64 {
	t.Helper()
	var n sql.NullInt64
	if err := db.QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n.Int64
}

// Shared is a data folder built once per test binary, in a temporary folder, for
// tests that only read it. The package's TestMain calls Main, which removes it after the tests.
type Shared[T any] struct {
	// Name names the temporary folder: hongbao-NAME-*.
	Name string
	// Build writes the folder dir and returns what the tests expect of it. It fails
	// the first test that asked for the folder when it cannot.
	Build func(t testing.TB, dir string) T

	once sync.Once
	dir  string
	v    T
	err  error
}

// Get returns the folder, built on the first call, and what Build returned.
func (s *Shared[T]) Get(t testing.TB) (string, T) {
	t.Helper()
	s.once.Do(func() {
		s.dir, s.err = os.MkdirTemp("", "hongbao-"+s.Name+"-")
		if s.err != nil {
			return
		}
		// Set until the folder is built: a build that fails this test leaves it for the others.
		s.err = errors.New("the shared test folder hongbao-" + s.Name + " did not build: see the first test that asked for it")
		s.v = s.Build(t, s.dir)
		s.err = nil
	})
	if s.err != nil {
		t.Fatal(s.err)
	}
	return s.dir, s.v
}

// Main runs the package's tests and removes the folder after them, then exits with
// their code: a package's TestMain is `func TestMain(m *testing.M) { shared.Main(m) }`.
func (s *Shared[T]) Main(m *testing.M) {
	code := m.Run()
	s.Remove()
	os.Exit(code)
}

// Remove removes the folder, when it was made.
func (s *Shared[T]) Remove() {
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// Golden returns the content of golden file path, for the test to compare got with;
// when update is set (the package's -update flag) it writes got there instead, and
// returns it.
func Golden(t testing.TB, path string, got []byte, update bool) []byte {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return got
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	return want
}
