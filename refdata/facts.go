package refdata

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// factsJSON is the facts registry: one entry per statistic of the source article, and the
// consistency notes.
//
//go:embed facts.json
var factsJSON []byte

// Kind says how hongbao can reproduce a fact.
type Kind string

// The kinds of fact.
const (
	KindEvent  Kind = "event"  // derivable from event data: the warehouse recomputes it
	KindMarket Kind = "market" // not derivable from events: cited as reported
	KindRule   Kind = "rule"   // a yes/no rule or risk
	KindDate   Kind = "date"   // a calendar date
)

// The values of Fact.Bound.
const (
	BoundEqual = "="     // the value as reported
	BoundMore  = ">"     // "more than" the value
	BoundAbout = "~"     // "about" or "nearly" the value
	BoundRange = "range" // a range given in words (Display)
)

// Fact is one statistic the source article reports, with what hongbao makes of it. English
// fields end in EN or have no suffix; *ZH fields are Simplified Chinese, except QuoteZH, which
// is the article's Traditional Chinese verbatim.
type Fact struct {
	ID               string  `json:"id"`                 // the name reports and tests use, e.g. "grabs_total"
	Kind             Kind    `json:"kind"`               // how it can be reproduced
	Value            float64 `json:"value"`              // the reported number; 1 for "yes"; 0 for a date or a range in words
	Bound            string  `json:"bound"`              // BoundEqual, BoundMore, BoundAbout or BoundRange
	Display          string  `json:"display"`            // as reported: ">75,000,000", "~180", "2014-01-26"
	DisplayZH        string  `json:"display_zh"`         // as reported, in Chinese: "7500万次以上"
	Unit             string  `json:"unit"`               // "claims", "people", "claims/min", "yuan", ...
	UnitZH           string  `json:"unit_zh"`            // "次", "人", "个/分钟", "元", ...
	QuoteZH          string  `json:"quote_zh"`           // the short source quote, Traditional Chinese
	GlossEN          string  `json:"gloss_en"`           // an English gloss of the quote
	Source           string  `json:"source"`             // who reported it, in English
	SourceZH         string  `json:"source_zh"`          // who reported it, in Chinese
	Window           string  `json:"window"`             // the window or meaning, in English
	WindowZH         string  `json:"window_zh"`          // the window or meaning, in Chinese
	Interpretation   string  `json:"interpretation"`     // the reading hongbao takes and the note it rests on
	InterpretationZH string  `json:"interpretation_zh"`  // the same in Chinese
	TitleEN          string  `json:"title_en"`           // short name: "Total claims"
	TitleZH          string  `json:"title_zh"`           // short name: "抢红包总次数"
	LabelEN          string  `json:"label_en,omitempty"` // shorter still, for a chart's axis: "Claims"; only the headline figures have one
	LabelZH          string  `json:"label_zh,omitempty"` // the same in Chinese: "领取总次数"
	Notes            []int   `json:"notes"`              // IDs of the consistency notes the reading rests on
	// Reading is the reading the default world follows, for a figure whose meaning
	// depends on one (Window and Interpretation are its text); empty otherwise.
	Reading string `json:"reading,omitempty"`
	// Readings holds the text of the other readings of the figure, by reading id.
	Readings map[string]ReadingText `json:"readings,omitempty"`
	// Corroboration is every other record of the figure: what it says, where it was
	// found, and which readings it supports.
	Corroboration []Record `json:"corroboration,omitempty"`
}

// ReadingText is what a figure means under one reading.
type ReadingText struct {
	Window           string `json:"window"`
	WindowZH         string `json:"window_zh"`
	Interpretation   string `json:"interpretation"`
	InterpretationZH string `json:"interpretation_zh"`
}

// Record is a record beside the article that corroborates or contradicts a figure.
type Record struct {
	Value    string   `json:"value"`    // what the record says, as it says it
	Source   string   `json:"source"`   // where it was found ("as reported by")
	Date     string   `json:"date"`     // when it was published, as precisely as known
	Note     string   `json:"note"`     // what it means for the figure
	NoteZH   string   `json:"note_zh"`  // the same in Chinese
	Supports []string `json:"supports"` // the readings it agrees with; empty: it contradicts the figure as hongbao reads it
}

// Agrees says whether the record supports reading r.
func (rc Record) Agrees(r string) bool { return slices.Contains(rc.Supports, r) }

// Reading is one way of reading the 2014 figures, with why.
type Reading struct {
	ID      string `json:"id"`
	Default bool   `json:"default"` // the reading the default world follows
	TitleEN string `json:"title_en"`
	TitleZH string `json:"title_zh"`
	TextEN  string `json:"text_en"`
	TextZH  string `json:"text_zh"`
}

// Text is the window and interpretation of f under reading r: its own fields for the
// reading the registry states them in, or for a figure that has no alternative.
func (f Fact) Text(r string) ReadingText {
	if alt, ok := f.Readings[r]; ok {
		return alt
	}
	return ReadingText{Window: f.Window, WindowZH: f.WindowZH, Interpretation: f.Interpretation, InterpretationZH: f.InterpretationZH}
}

// Note is one of the consistency notes: how two reported figures that seem to disagree hold
// together under the reading hongbao takes.
type Note struct {
	ID      int    `json:"id"`
	TitleEN string `json:"title_en"`
	TitleZH string `json:"title_zh"`
	TextEN  string `json:"text_en"`
	TextZH  string `json:"text_zh"`
}

type registry struct {
	facts    []Fact
	byID     map[string]int
	notes    []Note
	readings []Reading
}

var embeddedFacts = sync.OnceValue(func() *registry {
	r, err := parseFacts(factsJSON)
	if err != nil {
		panic("refdata: embedded facts.json: " + err.Error())
	}
	return r
})

func parseFacts(b []byte) (*registry, error) {
	var doc struct {
		Readings []Reading `json:"readings"`
		Facts    []Fact    `json:"facts"`
		Notes    []Note    `json:"notes"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	r := &registry{facts: doc.Facts, notes: doc.Notes, readings: doc.Readings, byID: map[string]int{}}
	readings, defaults := map[string]bool{}, 0
	for _, rd := range doc.Readings {
		if rd.ID == "" || readings[rd.ID] || rd.TitleEN == "" || rd.TitleZH == "" || rd.TextEN == "" || rd.TextZH == "" {
			return nil, fmt.Errorf("reading %q: duplicate id or empty text", rd.ID)
		}
		readings[rd.ID] = true
		if rd.Default {
			defaults++
		}
	}
	if len(doc.Readings) > 0 && defaults != 1 {
		return nil, fmt.Errorf("%d readings are the default; one must be", defaults)
	}
	notes := map[int]bool{}
	for _, n := range doc.Notes {
		if n.ID <= 0 || notes[n.ID] || n.TitleEN == "" || n.TitleZH == "" || n.TextEN == "" || n.TextZH == "" {
			return nil, fmt.Errorf("note %d: duplicate id or empty text", n.ID)
		}
		notes[n.ID] = true
	}
	for i, f := range doc.Facts {
		if _, dup := r.byID[f.ID]; dup || f.ID == "" {
			return nil, fmt.Errorf("fact %d: empty or duplicate id %q", i+1, f.ID)
		}
		r.byID[f.ID] = i
		switch f.Kind {
		case KindEvent, KindMarket, KindRule, KindDate:
		default:
			return nil, fmt.Errorf("fact %s: unknown kind %q", f.ID, f.Kind)
		}
		switch f.Bound {
		case BoundEqual, BoundMore, BoundAbout, BoundRange:
		default:
			return nil, fmt.Errorf("fact %s: unknown bound %q", f.ID, f.Bound)
		}
		for _, s := range []string{f.Display, f.DisplayZH, f.Unit, f.UnitZH, f.QuoteZH, f.GlossEN, f.Source,
			f.SourceZH, f.Window, f.WindowZH, f.Interpretation, f.InterpretationZH, f.TitleEN, f.TitleZH} {
			if s == "" {
				return nil, fmt.Errorf("fact %s: a text field is empty", f.ID)
			}
		}
		for _, n := range f.Notes {
			if !notes[n] {
				return nil, fmt.Errorf("fact %s: no note %d", f.ID, n)
			}
		}
		if f.Reading != "" && !readings[f.Reading] {
			return nil, fmt.Errorf("fact %s: no reading %q", f.ID, f.Reading)
		}
		for id, t := range f.Readings {
			if !readings[id] || t.Window == "" || t.WindowZH == "" || t.Interpretation == "" || t.InterpretationZH == "" {
				return nil, fmt.Errorf("fact %s: reading %q is unknown or has an empty text", f.ID, id)
			}
		}
		for _, rc := range f.Corroboration {
			if rc.Value == "" || rc.Source == "" || rc.Date == "" || rc.Note == "" || rc.NoteZH == "" {
				return nil, fmt.Errorf("fact %s: a record has an empty field", f.ID)
			}
			for _, id := range rc.Supports {
				if !readings[id] {
					return nil, fmt.Errorf("fact %s: a record supports no reading %q", f.ID, id)
				}
			}
		}
	}
	return r, nil
}

// Facts returns every statistic of the source article, in the order of the project's facts
// table (shared/FACTS.md when the project was written).
func Facts() []Fact {
	r := embeddedFacts()
	out := make([]Fact, len(r.facts))
	for i, f := range r.facts {
		out[i] = f.clone()
	}
	return out
}

// Lookup returns the fact with the given id.
func Lookup(id string) (Fact, bool) {
	r := embeddedFacts()
	i, ok := r.byID[id]
	if !ok {
		return Fact{}, false
	}
	return r.facts[i].clone(), true
}

// Readings returns the readings of the 2014 figures, the default first.
func Readings() []Reading {
	out := append([]Reading(nil), embeddedFacts().readings...)
	slices.SortStableFunc(out, func(a, b Reading) int {
		if a.Default != b.Default {
			if a.Default {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

// DefaultReading is the id of the reading the default world follows.
func DefaultReading() string {
	for _, r := range embeddedFacts().readings {
		if r.Default {
			return r.ID
		}
	}
	return ""
}

// Notes returns the consistency notes, in order of ID.
func Notes() []Note {
	return append([]Note(nil), embeddedFacts().notes...)
}

func (f Fact) clone() Fact {
	f.Notes = append([]int(nil), f.Notes...)
	f.Readings = maps.Clone(f.Readings)
	f.Corroboration = slices.Clone(f.Corroboration)
	return f
}
