package facts

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/refdata"
)

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
	// Reading is the reading the figure is judged by (the one of the calibration that
	// made the data), for a figure whose meaning depends on it; ReadingText says what
	// the figure means under it.
	Reading     string `json:"reading,omitempty"`
	ReadingText string `json:"reading_text,omitempty"`
	// Corroboration is every other record of the figure, and whether it agrees with
	// the reading judged by.
	Corroboration []Evidence `json:"corroboration"`
}

// Evidence is one record beside the article, as the sheet shows it.
type Evidence struct {
	Value  string `json:"value"`
	Source string `json:"source"`
	Date   string `json:"date"`
	Note   string `json:"note"`
	Agrees bool   `json:"agrees"`
}

// Sheet is the whole facts sheet of a warehouse.
type Sheet struct {
	Lang string `json:"lang"`
	// Reading is the reading of the 2014 figures the data was made to follow (the run
	// record's; the default for data without one).
	Reading string  `json:"reading"`
	Scale   float64 `json:"scale"`
	HasRun  bool    `json:"from_simulation"`
	Seed    uint64  `json:"seed,omitempty"`
	// Warning says the data and the windows it is judged by do not meet (no grab
	// inside them); empty when they do.
	Warning string   `json:"warning,omitempty"`
	Results []Result `json:"facts"`
	Checks  []Check  `json:"consistency_checks"`
}

// Compute reproduces every registry figure from db, judged against the run record
// (datadir.Dir.ReadRun; hasRun is false when the data has none), and words the sheet in
// lang, "en" or "zh". A caller that needs the sheet in both languages measures once
// with Measure.
func Compute(ctx context.Context, db *sql.DB, run datadir.Run, hasRun bool, lang string) (*Sheet, error) {
	m, err := Measure(ctx, db, run, hasRun)
	if err != nil {
		return nil, err
	}
	return m.Sheet(lang), nil
}

// Measures are the answers of every query of the facts sheet on one warehouse, in no
// language: Sheet words them.
type Measures struct {
	run    datadir.Run
	hasRun bool
	// elsewhere is set when the data has grabs and none of them falls in the window
	// the figures refer to: the windows describe another festival than the data's.
	elsewhere bool
	figures   map[string]measure // by fact id, for the figures specs can compute
	checks    []checkMeasure
}

// measure is what one figure's query gave.
type measure struct {
	query string
	value float64
	extra bool   // the second column, for the figures that have one
	none  bool   // the query gave no value (NULL, or no row): no events to compute it from
	err   string // the query's error, if it failed
}

// Measure runs the query of every figure and consistency check once against db.
func Measure(ctx context.Context, db *sql.DB, run datadir.Run, hasRun bool) (*Measures, error) {
	m := &Measures{run: run, hasRun: hasRun, figures: map[string]measure{}}
	// Two figures can read the same query (the mean claims a minute, exact and as the
	// article rounds it): each query runs once, a second over the full festival's grabs.
	type ranKey struct {
		query  string
		second bool
	}
	ran := map[ranKey]measure{}
	modelOK, err := modelWindows(ctx, db, run.Windows)
	if err != nil {
		return nil, err
	}
	// The per-minute counts add up to a window's only when it starts and ends on a
	// minute (as every window of a simulated run and of 2014 does).
	modelOK = modelOK && run.Windows.OnMinutes()
	for _, f := range refdata.Facts() {
		sp, ok := specFor(f.ID, cmp.Or(ReadingOf(run), refdata.DefaultReading()))
		if !ok {
			continue
		}
		q := sp.query
		if sp.fromModel != "" && modelOK {
			q = sp.fromModel
		}
		me := measure{query: render(q, run.Windows)}
		key := ranKey{me.query, sp.second}
		if done, ok := ran[key]; ok {
			m.figures[f.ID] = done
			continue
		}
		var nv sql.NullFloat64
		var extra sql.NullBool
		row := db.QueryRowContext(ctx, me.query)
		var err error
		if sp.second {
			err = row.Scan(&nv, &extra)
		} else {
			err = row.Scan(&nv)
		}
		switch {
		case errors.Is(err, sql.ErrNoRows):
			me.none = true
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			me.err = err.Error()
		default:
			me.value, me.none, me.extra = nv.Float64, !nv.Valid, extra.Bool
		}
		m.figures[f.ID] = me
		ran[key] = me
	}
	if m.checks, err = measureChecks(ctx, db, run, modelOK); err != nil {
		return nil, err
	}
	var grabs, inside int64
	if err := db.QueryRowContext(ctx, render(queries.Query("grabs_in_window"), run.Windows)).Scan(&grabs, &inside); err != nil {
		return nil, errorf("grabs in the window", err)
	}
	m.elsewhere = grabs > 0 && inside == 0
	return m, nil
}

// modelWindows reports whether the warehouse's models (user_grabs) answer for windows w:
// festival_windows holds the instants its refresh used (the run record's, or the 2014
// festival's). A warehouse refreshed before that model, or for other windows, is read
// from the grabs.
func modelWindows(ctx context.Context, db *sql.DB, w datadir.Windows) (bool, error) {
	var eve, end, nightStart, nightEnd time.Time
	err := db.QueryRowContext(ctx, queries.Query("festival_windows")).Scan(&eve, &end, &nightStart, &nightEnd)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, nil // no such table (an older warehouse), or not one row
	}
	return eve.Equal(w.EveStart) && end.Equal(w.End) && nightStart.Equal(w.EveNightStart) && nightEnd.Equal(w.EveNightEnd), nil
}

// ReadingOf is the reading a run's data follows: the run record's; "A" for a record
// written before readings were recorded (its windows have no figures_from: the world
// followed reading A then); empty for a world of another year, which no reading of the
// 2014 figures describes; the default reading for data without a record.
func ReadingOf(run datadir.Run) string {
	w := run.Windows
	switch {
	case run.Reading != "":
		return run.Reading
	case !w.EveStart.IsZero() && w.EveStart.In(locale.Zone).Year() != 2014:
		return ""
	case w.FiguresFrom.IsZero() && !run.Written.IsZero():
		return "A"
	}
	return refdata.DefaultReading()
}

// Sheet words the measures in lang, "en" or "zh", judging each figure.
func (m *Measures) Sheet(lang string) *Sheet {
	l := locale.Lang(lang)
	run := m.run
	reading := ReadingOf(run)
	judgedBy := reading
	if judgedBy == "" {
		judgedBy = refdata.DefaultReading() // the figures are 2014's whatever the world
	}
	sh := &Sheet{Lang: lang, Reading: reading, Scale: run.Scale, HasRun: m.hasRun, Seed: run.Seed}
	if m.elsewhere {
		from, end := run.Windows.Figures().In(locale.Zone).Format("2006-01-02 15:04"), run.Windows.End.In(locale.Zone).Format("2006-01-02 15:04")
		record := l.Pick(" 2014 年的窗口（没有 run.json）", "the 2014 window used without a run.json")
		if m.hasRun {
			record = l.Pick(" run.json 记录的窗口", "the window run.json records")
		}
		sh.Warning = l.Sprintf("数据中的领取没有一次落在%s（%s 至 %s，北京时间）内：这些数据不是该窗口所描述的节日，下面的结论把它们与另一个节日相比。请用生成这些数据的模拟留下的 run.json，或删除 run.json",
			"none of the data's grabs falls in %s (%s to %s, China time): the data is not the festival it describes, and the verdicts below set it against another one. Use the run.json of the simulation that made this data, or remove run.json",
			record, from, end)
	}
	for _, f := range refdata.Facts() {
		text := f.Text(judgedBy)
		r := Result{ID: f.ID, Kind: string(f.Kind), Reported: f.Display, Value: f.Value,
			Source: f.Source, Quote: f.QuoteZH, Gloss: f.GlossEN, Title: l.Pick(f.TitleZH, f.TitleEN),
			Unit: l.Pick(f.UnitZH, f.Unit), Window: l.Pick(text.WindowZH, text.Window), Corroboration: []Evidence{}}
		if f.Reading != "" {
			r.Reading = judgedBy
			r.ReadingText = l.Pick(text.InterpretationZH, text.Interpretation)
		}
		for _, rc := range f.Corroboration {
			r.Corroboration = append(r.Corroboration, Evidence{Value: rc.Value, Source: rc.Source, Date: rc.Date,
				Note: l.Pick(rc.NoteZH, rc.Note), Agrees: rc.Agrees(judgedBy)})
		}
		if l == locale.Chinese {
			if f.DisplayZH != "" {
				r.Reported = f.DisplayZH
			}
			if f.SourceZH != "" {
				r.Source = f.SourceZH
			}
		}
		sp, ok := specFor(f.ID, judgedBy)
		if !ok {
			r.Verdict = NotDerivable
			r.Scaling = "none"
			r.Note = l.Pick("无法从事件数据推出：市场或背景数据，附来源",
				"not derivable from event data: a market or context figure, shown with its source")
			sh.Results = append(sh.Results, r)
			continue
		}
		me := m.figures[f.ID]
		r.Query = me.query
		r.Note = l.Pick(sp.noteZH, sp.noteEN)
		r.Tolerance = sp.tolerance
		r.Expected = f.Value
		if f.ID == "launch_date" {
			launch := run.Windows.Launch.In(locale.Zone)
			r.Expected = float64(launch.Year()*10000 + int(launch.Month())*100 + launch.Day())
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
				r.Note += l.Pick("；此规模下无模型期望值（无 run.json）：按报道值判断",
					"; no model expectation for this scale (no run.json): judged against the reported value")
			}
		default:
			r.Scaling = "none"
		}
		if me.err != "" || me.none {
			r.Error = me.err
			if me.none {
				r.Shown = l.Pick("无数据", "no data")
				r.Note += l.Pick("；数据中没有可据以计算的事件", "; the data holds no events to compute it from")
			}
			r.Verdict = NotReproduced
			sh.Results = append(sh.Results, r)
			continue
		}
		v := me.value
		r.Computed = &v
		if sp.check != nil && sp.scaling == scaleNone {
			r.Shown = shown(f.ID, v, me.extra, l)
		} else if r.Expected != 0 {
			d := (v - r.Expected) / r.Expected
			r.Difference = &d
		}
		r.Verdict = judge(sp, v, me.extra, r)
		sh.Results = append(sh.Results, r)
	}
	for _, c := range m.checks {
		sh.Checks = append(sh.Checks, c.word(l))
	}
	return sh
}

// shown words the computed value of a rule or a range; extra is the query's second
// column.
func shown(id string, v float64, extra bool, l locale.Lang) string {
	switch id {
	case "card_binding_required":
		switch {
		case !extra:
			return l.Pick("无法判断：数据中没有提现", "cannot tell: the data holds no withdrawals")
		case v == 0:
			return l.Pick("是：没有未绑卡的提现", "yes: no withdrawal without a prior binding")
		}
		return l.Sprintf("否：%.0f笔提现之前未绑卡", "no: %.0f withdrawals without a prior binding", v)
	case "fake_envelope_links":
		if v == 0 {
			return l.Pick("否：数据中没有链接", "no: the data holds no links")
		}
		return l.Sprintf("是：%.0f条链接", "yes: %.0f links", v)
	case "claim_size_range":
		return l.Sprintf("单次领取中位数%.2f元", "median claim %.2f yuan", v)
	}
	return ""
}

func judge(sp spec, v float64, extra bool, r Result) Verdict {
	ok := false
	switch {
	case sp.check != nil:
		ok = sp.check(v, extra, r)
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

// errorf wraps a query failure with the step it belongs to.
func errorf(step string, err error) error { return fmt.Errorf("facts: %s: %w", step, err) }
