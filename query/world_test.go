package query

import (
	"database/sql"
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

// memoryDB opens an in-memory DuckDB database, closed when the test ends.
func memoryDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
