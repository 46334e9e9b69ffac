package report

import (
	"database/sql"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/hongbao/hongbao/internal/testworld"
	"github.com/hongbao/hongbao/transform"
)

// shared is the data folder of the festival world (testworld.Festival: its events
// landed in DIR/lake as the ingester lands them, its bank table as DIR/banks.csv), then
// transform's Refresh, as 'hongbao transform' does; built once per test binary. Tests
// only read it. The expectations of data_test.go are worked out by hand from it.
var shared = testworld.Shared[struct{}]{Name: "report-test", Build: buildWarehouse}

// testWarehouse returns the data folder of the festival warehouse.
func testWarehouse(t *testing.T) string {
	t.Helper()
	dir, _ := shared.Get(t)
	return dir
}

func buildWarehouse(t testing.TB, dir string) struct{} {
	testworld.Festival(t, dir)
	testworld.Refresh(t, transform.Open, dir)
	return struct{}{}
}

// openTest opens the festival warehouse read-only for one test.
func openTest(t *testing.T) *sql.DB {
	t.Helper()
	return testworld.Open(t, transform.OpenReadOnly, testWarehouse(t)).DB()
}

func TestMain(m *testing.M) { shared.Main(m) }
