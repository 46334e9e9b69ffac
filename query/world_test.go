package query

import (
	"context"
	"testing"

	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// refreshed opens a warehouse over the small test world and refreshes it.
func refreshed(t *testing.T) (dir string, w *transform.Warehouse) {
	t.Helper()
	dir = t.TempDir()
	testworld.Small(t, dir)
	w, err := transform.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir, w
}
