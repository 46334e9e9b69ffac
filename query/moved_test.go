package query

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// A data folder moved after its refresh is refused with the fix named, and after one
// refresh in its new place it answers as before.
func TestMovedDataFolder(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	testworld.Small(t, old)
	testworld.Refresh(t, transform.Open, old)
	want := grabsIn(t, old)

	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(old, moved); err != nil {
		t.Fatal(err)
	}
	_, err := OpenSandbox(moved, SandboxOptions{})
	if !errors.Is(err, ErrLakeElsewhere) {
		t.Fatalf("open a moved folder: got %v, want ErrLakeElsewhere", err)
	}
	for _, s := range []string{old, "hongbao transform --dir " + moved} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("the refusal %q does not name %q", err, s)
		}
	}

	if _, err := transform.OpenReadOnly(moved); !errors.Is(err, ErrLakeElsewhere) {
		t.Fatalf("open a moved folder read-only (facts, report): got %v, want ErrLakeElsewhere", err)
	}

	testworld.Refresh(t, transform.Open, moved)
	if got := grabsIn(t, moved); got != want {
		t.Errorf("after the refresh in its new place: %d grabs, want %d", got, want)
	}
}

func grabsIn(t *testing.T, dir string) int64 {
	t.Helper()
	s, err := OpenSandbox(dir, SandboxOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return testworld.QueryInt(t, s.DB(), "SELECT count(*) FROM grabs")
}
