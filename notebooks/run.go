package notebooks

import (
	"context"
	"fmt"
	"time"

	"github.com/hongbao/hongbao/query"
)

// DefaultShowRows is how many rows of a result the page shows unless a cell says rows=N.
const DefaultShowRows = 20

// chartRows bounds the rows read for a cell: enough for a chart of every minute of the
// festival (7,969), and the rest is counted, not kept.
const chartRows = 20000

// Runner runs notebooks against a warehouse.
type Runner struct {
	// DB is the warehouse, best a *sql.Conn of it: SET VARIABLE and temporary views
	// then carry from one cell to the next, as in a notebook they should.
	DB query.Queryer
	// Warehouse names it on the page (its path).
	Warehouse string
	// ShowRows is how many rows of a result the page shows; DefaultShowRows if 0.
	ShowRows int
}

// Run is the outcome of running one notebook.
type Run struct {
	Notebook  *Notebook
	Cells     []*CellRun // one per cell, in order
	Warehouse string
	Started   time.Time
	Elapsed   time.Duration
}

// CellRun is the outcome of one cell.
type CellRun struct {
	Cell    *Cell
	Result  *query.Result // the last statement's result; nil if the cell failed before it
	Chart   []byte        // an <svg> element; nil without a chart block or with no rows to draw
	Err     error         // the SQL error (with its place) or the chart error
	Elapsed time.Duration
	Show    int // rows the page shows
}

// Failed returns the cells that failed.
func (r *Run) Failed() []*CellRun {
	var failed []*CellRun
	for _, c := range r.Cells {
		if c.Err != nil {
			failed = append(failed, c)
		}
	}
	return failed
}

// Cell returns the outcome of the cell named name, or nil.
func (r *Run) Cell(name string) *CellRun {
	for _, c := range r.Cells {
		if c.Cell.Name == name {
			return c
		}
	}
	return nil
}

// Run runs every cell of nb in order. A failed cell keeps its error and the next cells
// still run; only a canceled ctx stops the run, leaving the cells not run with its error.
func (rn *Runner) Run(ctx context.Context, nb *Notebook) *Run {
	run := &Run{Notebook: nb, Warehouse: rn.Warehouse, Started: time.Now()}
	for _, c := range nb.Cells() {
		cr := &CellRun{Cell: c, Show: c.Rows}
		if cr.Show == 0 {
			cr.Show = rn.ShowRows
		}
		if cr.Show == 0 {
			cr.Show = DefaultShowRows
		}
		if err := ctx.Err(); err != nil {
			cr.Err = fmt.Errorf("not run: %w", err)
		} else {
			start := time.Now()
			rn.runCell(ctx, cr)
			cr.Elapsed = time.Since(start)
		}
		run.Cells = append(run.Cells, cr)
	}
	run.Elapsed = time.Since(run.Started)
	return run
}

func (rn *Runner) runCell(ctx context.Context, cr *CellRun) {
	stmts, rest := query.SplitStatements(cr.Cell.SQL)
	if query.HasCode(rest) {
		stmts = append(stmts, rest)
	}
	for i, stmt := range stmts {
		res, err := query.QueryHead(ctx, rn.DB, stmt, chartRows)
		if err != nil {
			if len(stmts) > 1 {
				err = fmt.Errorf("statement %d of %d: %w", i+1, len(stmts), err)
			}
			cr.Err, cr.Result = err, nil // an earlier statement's rows would pass for this one's
			return
		}
		cr.Result = res
	}
	if cr.Cell.Chart != nil {
		cr.Chart, cr.Err = cr.Cell.Chart.Draw(cr.Result)
		if cr.Err == nil && cr.Result.More {
			cr.Err = fmt.Errorf("%w: the chart would show only the first %d of %d rows; aggregate or filter the query", ErrChart, chartRows, cr.Result.Total)
			cr.Chart = nil
		}
	}
}
