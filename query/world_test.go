package query

import (
	"testing"

	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// refreshed opens a warehouse over the small test world and refreshes it.
func refreshed(t *testing.T) (dir string, w *transform.Warehouse) {
	t.Helper()
	dir = t.TempDir()
	testworld.Small(t, dir)
	return dir, testworld.Refreshed(t, transform.Open, dir)
}
