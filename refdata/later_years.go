package refdata

import (
	_ "embed"
	"fmt"
	"io"
	"time"
)

//go:embed later_years.csv
var laterYearsCSV []byte

// LaterYear is one reported figure of a New Year's Eve after 2014, for the hindsight
// the article's question asks for ("a flash in the pan once the craze fades?"). Every
// value is reported, with where it was found; none comes from event data.
type LaterYear struct {
	Eve      time.Time // the Eve (除夕) the figure is about, a date in China time
	Platform string    // "wechat" or "alipay"
	Metric   string    // sent_and_received, peak_per_second, people, ...
	Value    float64   // the reported number
	Unit     string    // envelopes, envelopes/s, people, yuan, ...
	Window   string    // the window the figure counts over, in English: "Eve", "Eve to Day 5"
	Source   string    // where it was found ("as reported by")
	NoteEN   string    // what to know about it, in English
	NoteZH   string    // the same in Chinese
}

// The platforms of LaterYear.
const (
	PlatformWeChat = "wechat"
	PlatformAlipay = "alipay"
)

var laterYearColumns = []string{"eve", "platform", "metric", "value", "unit", "window_en", "source", "note_en", "note_zh"}

var embeddedLaterYears = embeddedTable("later_years.csv", laterYearsCSV, parseLaterYears)

// LaterYears returns the reported figures of the Eves after 2014, in table order. The
// caller may modify the slice.
func LaterYears() []LaterYear { return embeddedLaterYears() }

func parseLaterYears(file string, r io.Reader) ([]LaterYear, error) {
	recs, err := readCSV(file, r, laterYearColumns)
	if err != nil {
		return nil, err
	}
	var out []LaterYear
	for _, rec := range recs {
		var y LaterYear
		eve, err := rec.text(file, "eve")
		if err != nil {
			return nil, err
		}
		if y.Eve, err = time.Parse(time.DateOnly, eve); err != nil {
			return nil, &ParseError{File: file, Line: rec.line, Column: "eve", Err: fmt.Errorf("%q is not a date (YYYY-MM-DD)", eve)}
		}
		if y.Platform, err = rec.oneOf(file, "platform", []string{PlatformWeChat, PlatformAlipay}); err != nil {
			return nil, err
		}
		if y.Value, err = rec.share(file, "value"); err != nil {
			return nil, err
		}
		for _, f := range []struct {
			col string
			dst *string
		}{{"metric", &y.Metric}, {"unit", &y.Unit}, {"window_en", &y.Window}, {"source", &y.Source}, {"note_en", &y.NoteEN}, {"note_zh", &y.NoteZH}} {
			if *f.dst, err = rec.text(file, f.col); err != nil {
				return nil, err
			}
		}
		out = append(out, y)
	}
	return out, nil
}
