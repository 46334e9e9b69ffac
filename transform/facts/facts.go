package facts

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/refdata"
)

// cst is China Standard Time, the zone the figures' windows are read in.
var cst = time.FixedZone("CST", 8*3600)

// Verdict is how a computed figure compares with the reported one.
type Verdict string

// The verdicts.
const (
	Reproduced    Verdict = "reproduced"
	NotReproduced Verdict = "not_reproduced"
	NotDerivable  Verdict = "not_derivable" // a market figure or context: no event says it
)

// Result is one figure: reported, computed, and how they compare.
type Result struct {
	ID       string  `json:"id"`
	Title    string  `json:"title"`
	Kind     string  `json:"kind"`
	Reported string  `json:"reported"`       // as the article gives it
	Value    float64 `json:"reported_value"` // the reported number
	Unit     string  `json:"unit"`
	// Expected is the reported value at this run's scale (or the model's value for a
	// maximum); computed values are judged against it.
	Expected float64  `json:"expected"`
	Computed *float64 `json:"computed"`
	// Shown is the computed value as a person reads it ("yes: 0 withdrawals without a
	// prior binding"); empty when the number speaks for itself.
	Shown      string   `json:"computed_display,omitempty"`
	Difference *float64 `json:"difference,omitempty"` // (computed - expected) / expected
	Tolerance  float64  `json:"tolerance,omitempty"`
	Verdict    Verdict  `json:"verdict"`
	Scaling    string   `json:"scaling"`
	Source     string   `json:"source"`
	Quote      string   `json:"quote_zh"`
	Gloss      string   `json:"gloss_en"`
	Window     string   `json:"window"`
	Note       string   `json:"note"`
	Query      string   `json:"query"`
	Error      string   `json:"error,omitempty"`
}

// Sheet is the whole facts sheet of a warehouse.
type Sheet struct {
	Lang    string   `json:"lang"`
	Scale   float64  `json:"scale"`
	HasRun  bool     `json:"from_simulation"`
	Seed    uint64   `json:"seed,omitempty"`
	Results []Result `json:"facts"`
	Checks  []Check  `json:"consistency_checks"`
}

// Compute reproduces every registry figure from db, judged against the run record
// (datadir.Dir.ReadRun; hasRun is false when the data has none). lang is "en" or "zh".
func Compute(ctx context.Context, db *sql.DB, run datadir.Run, hasRun bool, lang string) (*Sheet, error) {
	sh := &Sheet{Lang: lang, Scale: run.Scale, HasRun: hasRun, Seed: run.Seed}
	for _, f := range refdata.Facts() {
		r := Result{ID: f.ID, Kind: string(f.Kind), Reported: f.Display, Value: f.Value,
			Source: f.Source, Quote: f.QuoteZH, Gloss: f.GlossEN, Title: f.TitleEN, Unit: f.Unit, Window: f.Window}
		if lang == "zh" {
			r.Title, r.Unit, r.Window = f.TitleZH, f.UnitZH, f.WindowZH
			if f.DisplayZH != "" {
				r.Reported = f.DisplayZH
			}
			if f.SourceZH != "" {
				r.Source = f.SourceZH
			}
		}
		sp, ok := specs[f.ID]
		if !ok {
			r.Verdict = NotDerivable
			r.Scaling = "none"
			r.Note = pick(lang, "not derivable from event data: a market or context figure, shown with its source",
				"无法从事件数据推出：市场或背景数据，附来源")
			sh.Results = append(sh.Results, r)
			continue
		}
		r.Query = render(sp.query, run.Windows)
		r.Note = pick(lang, sp.noteEN, sp.noteZH)
		r.Tolerance = sp.tolerance
		r.Expected = f.Value
		if f.ID == "launch_date" {
			r.Expected = float64(run.Windows.Launch.In(cst).Year()*10000 + int(run.Windows.Launch.In(cst).Month())*100 + run.Windows.Launch.In(cst).Day())
		}
		switch sp.scaling {
		case scaleCount:
			r.Scaling = "count"
			r.Expected = f.Value * run.Scale
		case scaleModel:
			r.Scaling = "model"
			if e, ok := run.Expected[f.ID]; ok {
				r.Expected = e
			} else if run.Scale != 1 {
				r.Note += pick(lang, "; no model expectation for this scale (no run.json): judged against the reported value",
					"；此规模下无模型期望值（无 run.json）：按报道值判断")
			}
		default:
			r.Scaling = "none"
		}
		var v float64
		var extra sql.NullBool
		row := db.QueryRowContext(ctx, r.Query)
		var err error
		if hasSecondColumn(f.ID) {
			err = row.Scan(&v, &extra)
		} else {
			var nv sql.NullFloat64
			err = row.Scan(&nv)
			v = nv.Float64
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			r.Error = err.Error()
			r.Verdict = NotReproduced
			sh.Results = append(sh.Results, r)
			continue
		}
		r.Computed = &v
		if sp.check != nil && sp.scaling == scaleNone {
			r.Shown = shown(f.ID, v, lang)
		} else if r.Expected != 0 {
			d := (v - r.Expected) / r.Expected
			r.Difference = &d
		}
		r.Verdict = judge(sp, v, extra.Bool, r)
		sh.Results = append(sh.Results, r)
	}
	checks, err := consistency(ctx, db, run, lang)
	if err != nil {
		return nil, err
	}
	sh.Checks = checks
	return sh, nil
}

// shown words the computed value of a rule or a range.
func shown(id string, v float64, lang string) string {
	switch id {
	case "card_binding_required":
		if v == 0 {
			return pick(lang, "yes: no withdrawal without a prior binding", "是：没有未绑卡的提现")
		}
		return fmt.Sprintf(pick(lang, "no: %.0f withdrawals without a prior binding", "否：%.0f笔提现之前未绑卡"), v)
	case "fake_envelope_links":
		return fmt.Sprintf(pick(lang, "yes: %.0f links", "是：%.0f条链接"), v)
	case "claim_size_range":
		return fmt.Sprintf(pick(lang, "median claim %.2f yuan", "单次领取中位数%.2f元"), v)
	}
	return ""
}

func hasSecondColumn(id string) bool {
	switch id {
	case "peak_opens_per_minute", "claim_size_range", "card_binding_required":
		return true
	}
	return false
}

func judge(sp spec, v float64, extra bool, r Result) Verdict {
	ok := false
	switch {
	case sp.check != nil:
		ok = sp.check(v, extra, r)
	case r.ID == "peak_opens_per_minute":
		ok = extra && within(v, r.Expected, sp.tolerance)
	case sp.tolerance == 0:
		ok = math.Round(v) == math.Round(r.Expected)
	default:
		ok = within(v, r.Expected, sp.tolerance)
	}
	if ok {
		return Reproduced
	}
	return NotReproduced
}

func within(v, want, tol float64) bool {
	if want == 0 {
		return v == 0
	}
	return math.Abs(v/want-1) <= tol+1e-12
}

func pick(lang, en, zh string) string {
	if lang == "zh" {
		return zh
	}
	return en
}

// errorf wraps a query failure with the step it belongs to.
func errorf(step string, err error) error { return fmt.Errorf("facts: %s: %w", step, err) }
