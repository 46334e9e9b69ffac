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

// factsCache keeps the facts sheet of one state of the data folder, per language.
// The sheet reads every event (about half a minute at full scale) and changes only
// when a refresh rewrites the warehouse or a run writes a new run record, so it is
// computed once per state: the state is the size and time of those files.
type factsCache struct {
	mu       sync.Mutex
	state    string
	sheets   map[string]*facts.Sheet
	computed int // sheets computed so far, which the tests count
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

// sheet returns the facts sheet in lang, computing it only if the data changed since
// it was last computed. Requests that arrive meanwhile wait for it.
func (c *Console) sheet(ctx context.Context, lang string) (*facts.Sheet, error) {
	fc := &c.factsCache
	fc.mu.Lock()
	defer fc.mu.Unlock()
	d := datadir.Dir(c.cfg.Dir)
	state := dataState(d)
	if state != fc.state || fc.sheets == nil {
		fc.state, fc.sheets = state, map[string]*facts.Sheet{}
	}
	if s, ok := fc.sheets[lang]; ok {
		return s, nil
	}
	run, hasRun, err := d.ReadRun()
	if err != nil {
		return nil, err
	}
	var sheet *facts.Sheet
	err = c.withSandbox(ctx, func(sb *query.Sandbox) error {
		sheet, err = facts.Compute(ctx, sb.DB(), run, hasRun, lang)
		return err
	})
	if err != nil {
		return nil, err
	}
	fc.computed++
	fc.sheets[lang] = sheet
	return sheet, nil
}
