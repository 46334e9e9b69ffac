package facts

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"fmt"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/sqlfile"
)

// scaling says how a figure relates to the scale of a run.
type scaling int

const (
	scaleCount scaling = iota // counts (and counts per minute) scale with the run
	scaleNone                 // means, dates, bank and scenario counts stay
	scaleModel                // a maximum: the simulator's model gives its value at a scale
)

// spec is how hongbao reproduces one figure: a query returning one row whose first
// column is the computed value (and, for some, a second column that must be true).
type spec struct {
	query     string
	scaling   scaling
	tolerance float64 // relative; 0 means the value must match exactly
	second    bool    // the query returns a second, boolean column
	// fromModel, when set, is the same figure from a model (user_grabs,
	// claims_per_minute): Measure runs it instead of query when the warehouse's
	// festival_windows are the run's windows and they fall on whole minutes.
	fromModel string
	// check, when set, turns the computed value into a verdict itself (for figures
	// that are ranges or rules rather than numbers).
	check func(v float64, extra bool, r Result) bool
	// noteEN / noteZH explain the reading, shown beside the figure.
	noteEN, noteZH string
}

// queries holds the SQL of every figure and consistency check, one file each, named
// after the figure. Placeholders such as {end} stand for the run's windows (render).
//
//go:embed queries/*.sql
var queryFiles embed.FS

var queries = sqlfile.MustLoad(queryFiles, "queries/*.sql")

// specs.json says how each figure is reproduced (its "about" explains every field):
// a figure's whole definition, but for the few rules below, is data beside its query.
//
//go:embed specs.json
var specsJSON []byte

// specs holds the event-level figures; every other registry entry is not derivable.
// readingSpecs are the figures whose query changes with the reading, by reading; a
// figure not named there is computed the same way under every reading.
var specs, readingSpecs = mustLoadSpecs(specsJSON)

// rules are the verdicts specs.json can name in place of a tolerance.
var rules = map[string]func(v float64, extra bool, r Result) bool{
	"more_than":         func(v float64, _ bool, r Result) bool { return v > r.Expected },
	"positive":          func(v float64, _ bool, _ Result) bool { return v > 0 },
	"second":            func(_ float64, extra bool, _ Result) bool { return extra },
	"zero_and_second":   func(v float64, extra bool, _ Result) bool { return v == 0 && extra },
	"within_and_second": func(v float64, extra bool, r Result) bool { return extra && within(v, r.Expected, r.Tolerance) },
}

var scalings = map[string]scaling{"count": scaleCount, "none": scaleNone, "model": scaleModel}

// specEntry is one figure of specs.json.
type specEntry struct {
	Query        string                `json:"query"`
	Scaling      string                `json:"scaling"`
	Tolerance    float64               `json:"tolerance"`
	Rule         string                `json:"rule"`
	SecondColumn bool                  `json:"second_column"`
	FromModel    string                `json:"from_model"`
	NoteEN       string                `json:"note_en"`
	NoteZH       string                `json:"note_zh"`
	Readings     map[string]*specEntry `json:"readings"`
}

// mustLoadSpecs reads specs.json; the file is embedded, so a mistake in it is a
// programming error, caught by every test of the package.
func mustLoadSpecs(b []byte) (map[string]spec, map[string]map[string]spec) {
	var doc struct {
		About   string                `json:"about"`
		Figures map[string]*specEntry `json:"figures"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		panic(fmt.Sprintf("facts: specs.json: %v", err))
	}
	byID, byReading := map[string]spec{}, map[string]map[string]spec{}
	for id, e := range doc.Figures {
		byID[id] = e.spec(id)
		for reading, re := range e.Readings {
			if byReading[reading] == nil {
				byReading[reading] = map[string]spec{}
			}
			byReading[reading][id] = re.spec(id)
		}
	}
	return byID, byReading
}

func (e *specEntry) spec(id string) spec {
	sc, ok := scalings[e.Scaling]
	if !ok {
		panic(fmt.Sprintf("facts: specs.json: %s: scaling %q is none of count, none, model", id, e.Scaling))
	}
	sp := spec{query: queries.Query(cmp.Or(e.Query, id)), scaling: sc, tolerance: e.Tolerance,
		second: e.SecondColumn, noteEN: e.NoteEN, noteZH: e.NoteZH}
	if e.FromModel != "" {
		sp.fromModel = queries.Query(e.FromModel)
	}
	if e.Rule != "" {
		if sp.check, ok = rules[e.Rule]; !ok {
			panic(fmt.Sprintf("facts: specs.json: %s: no rule %q", id, e.Rule))
		}
	}
	if e.NoteEN == "" || e.NoteZH == "" {
		panic(fmt.Sprintf("facts: specs.json: %s: a note in each language is needed", id))
	}
	return sp
}

// specFor is how figure id is reproduced under reading r.
func specFor(id, r string) (spec, bool) {
	if sp, ok := readingSpecs[r][id]; ok {
		return sp, true
	}
	sp, ok := specs[id]
	return sp, ok
}

// render puts the run's windows into a query as literals, so that --show-sql prints
// SQL a user can paste into any DuckDB session on the warehouse.
func render(q string, w datadir.Windows) string { return sqlfile.Render(q, w.SQL()) }
