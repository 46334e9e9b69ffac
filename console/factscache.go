package console

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/query"
	"github.com/hongbao/hongbao/transform/facts"
)

// factsCache keeps the facts sheet's measures of one state of the data folder. They
// read the events and the models (3-4 s at full scale) and change only when a refresh
// rewrites the warehouse or a run writes a new run record, so they are measured once
// per state (the size and time of those files) and worded in either language from
// memory.
type factsCache struct {
	mu       sync.Mutex
	state    string
	measures *facts.Measures
	measured int // how often the warehouse was measured, which the tests count
}

// dataState names the state of the files the facts sheet reads.
func dataState(d datadir.Dir) string {
	s := ""
	for _, p := range []string{d.Warehouse(), d.WarehouseWAL(), d.RunRecord()} {
		if fi, err := os.Stat(p); err == nil {
			s += fmt.Sprintf("%d@%d;", fi.Size(), fi.ModTime().UnixNano())
		} else {
			s += "-;"
		}
	}
	return s
}

// sheet returns the facts sheet in lang, measuring the warehouse again only if the
// data changed since it was last measured. Requests that arrive meanwhile wait.
func (c *Console) sheet(ctx context.Context, lang string) (*facts.Sheet, error) {
	fc := &c.factsCache
	fc.mu.Lock()
	defer fc.mu.Unlock()
	d := datadir.Dir(c.cfg.Dir)
	if state := dataState(d); state != fc.state || fc.measures == nil {
		run, hasRun, err := d.ReadRun()
		if err != nil {
			return nil, err
		}
		var m *facts.Measures
		err = c.withSandbox(ctx, func(sb *query.Sandbox) error {
			m, err = facts.Measure(ctx, sb.DB(), run, hasRun)
			return err
		})
		if err != nil {
			return nil, err
		}
		fc.state, fc.measures = state, m
		fc.measured++
	}
	return fc.measures.Sheet(lang), nil
}
