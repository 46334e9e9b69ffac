// Package datadir is the one place that knows the layout of a hongbao data folder
// (--dir, HONGBAO_DIR). Every command and package asks a Dir for a path in it:
//
//	lake/                the Parquet lake; ingest/lake owns what is inside
//	lake/<table>/        the Parquet files of one lake table
//	warehouse.duckdb     the DuckDB warehouse (and DuckDB's warehouse.duckdb.wal)
//	run.json             the run record a simulation leaves (Run)
//	banks.csv            the bank table the simulation drew from, which the warehouse loads
//	reports/             the report's PDF and charts
//	notebooks/           the notebooks' HTML pages
//	broker/              the embedded broker's topics (demo; 'hongbao broker' by default)
//	.refresh.lock        held by the one warehouse refresh at a time
//	.hongbao-demo        marks a folder a demo wrote, which the next demo may replace
//	.hongbao_history     the sql prompt's history, when there is no home folder
package datadir

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Dir is a data folder.
type Dir string

// The names in a data folder.
const (
	lakeName        = "lake"
	warehouseName   = "warehouse.duckdb"
	walSuffix       = ".wal" // DuckDB's write-ahead log beside its file
	runName         = "run.json"
	banksName       = "banks.csv"
	reportsName     = "reports"
	notebooksName   = "notebooks"
	brokerName      = "broker"
	refreshLockName = ".refresh.lock"
	demoMarkerName  = ".hongbao-demo"
	historyName     = ".hongbao_history"
)

// written are the names hongbao's commands write in a data folder, which Clear removes.
// The demo marker and the prompt's history are not among them: the one says whose the
// folder is, the other is the user's.
var written = []string{
	lakeName, warehouseName, warehouseName + walSuffix, runName, banksName,
	reportsName, notebooksName, brokerName, refreshLockName,
}

func (d Dir) path(name string) string { return filepath.Join(string(d), name) }

// Lake is the lake's folder, DIR/lake.
func (d Dir) Lake() string { return d.path(lakeName) }

// LakeTable is the folder of one lake table's Parquet files, DIR/lake/<table>.
func (d Dir) LakeTable(table string) string { return filepath.Join(d.Lake(), table) }

// Warehouse is the DuckDB warehouse file, DIR/warehouse.duckdb.
func (d Dir) Warehouse() string { return d.path(warehouseName) }

// WarehouseWAL is DuckDB's write-ahead log of the warehouse, DIR/warehouse.duckdb.wal.
func (d Dir) WarehouseWAL() string { return d.Warehouse() + walSuffix }

// RunRecord is the run record, DIR/run.json (see ReadRun).
func (d Dir) RunRecord() string { return d.path(runName) }

// Banks is the bank table of the run, DIR/banks.csv (the format of refdata.BanksCSV);
// when present the warehouse loads it instead of the built-in one.
func (d Dir) Banks() string { return d.path(banksName) }

// Reports is the report's folder, DIR/reports.
func (d Dir) Reports() string { return d.path(reportsName) }

// Notebooks is the folder of the notebooks' pages, DIR/notebooks.
func (d Dir) Notebooks() string { return d.path(notebooksName) }

// Holds reports whether path lies in folder (folder itself included), symbolic links
// resolved as far as they exist, so that a link from elsewhere into the data folder
// is seen for what it is. The commands that write where the user says (sql -o,
// notebook run -o, report --out, simulate --output, broker --data) ask it before they
// write into a data folder.
func Holds(folder, path string) bool {
	resolve := func(p string) string {
		abs, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		// The path may not exist yet: resolve its longest existing parent.
		rest := ""
		for {
			if r, err := filepath.EvalSymlinks(abs); err == nil {
				return filepath.Join(r, rest)
			}
			parent := filepath.Dir(abs)
			if parent == abs {
				return filepath.Join(abs, rest)
			}
			rest = filepath.Join(filepath.Base(abs), rest)
			abs = parent
		}
	}
	rel, err := filepath.Rel(resolve(folder), resolve(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// NotebookPage is the HTML page of notebook name, DIR/notebooks/<name>.html.
func (d Dir) NotebookPage(name string) string {
	return filepath.Join(d.path(notebooksName), name+".html")
}

// Broker is the embedded broker's data folder, DIR/broker.
func (d Dir) Broker() string { return d.path(brokerName) }

// RefreshLock is the file whose lock one refresh of the warehouse holds, DIR/.refresh.lock.
func (d Dir) RefreshLock() string { return d.path(refreshLockName) }

// SQLHistory is the sql prompt's history in the data folder, DIR/.hongbao_history.
func (d Dir) SQLHistory() string { return d.path(historyName) }

// WriteBanks leaves csv as the run's bank table; nil removes an earlier one, so the
// warehouse loads the built-in table.
func (d Dir) WriteBanks(csv []byte) error {
	if csv == nil {
		if err := os.Remove(d.Banks()); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	return os.WriteFile(d.Banks(), csv, 0o644)
}

// Empty reports whether the folder is missing or holds nothing.
func (d Dir) Empty() (bool, error) {
	entries, err := os.ReadDir(string(d))
	if errors.Is(err, fs.ErrNotExist) {
		return true, nil
	}
	return err == nil && len(entries) == 0, err
}

// MarkDemo creates the folder and marks it as a demo's, so a later demo may Clear it.
func (d Dir) MarkDemo() error {
	if err := os.MkdirAll(string(d), 0o755); err != nil {
		return err
	}
	return os.WriteFile(d.path(demoMarkerName), []byte("written by hongbao demo\n"), 0o644)
}

// HoldsDemo reports whether a demo marked the folder as its own.
func (d Dir) HoldsDemo() bool {
	_, err := os.Stat(d.path(demoMarkerName))
	return err == nil
}

// Clear removes everything hongbao's commands write in the folder (lake, warehouse,
// run record, bank table, reports, notebook pages, broker data, refresh lock) and
// leaves anything else.
func (d Dir) Clear() error {
	for _, name := range written {
		if err := os.RemoveAll(d.path(name)); err != nil {
			return err
		}
	}
	return nil
}
