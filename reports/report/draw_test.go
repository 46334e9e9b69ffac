package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/reports/chart"
	"github.com/hongbao/hongbao/reports/fonts/fontstest"
)

// bars is a job list of n bar charts, each with its own values; an SVG goes with
// every other one.
func bars(n int) []chartJob {
	jobs := make([]chartJob, n)
	for i := range jobs {
		jobs[i] = chartJob{file: fmt.Sprintf("%02d-bars.en", i+1), height: chartH, svg: i%2 == 0, c: &chart.Bar{
			Title: fmt.Sprintf("Chart %d", i+1), YLabel: "claims", Categories: []string{"Eve", "Day 1", "Day 2"},
			Groups: []chart.BarGroup{{Values: []float64{float64(10 * (i + 1)), 7, float64(i)}}}}}
	}
	return jobs
}

// TestDrawChartsLikeOneByOne: the charts drawn on several goroutines are byte for byte
// the ones drawn one after the other, each in its place.
func TestDrawChartsLikeOneByOne(t *testing.T) {
	fam := fontstest.Latin(t)
	jobs := bars(6)
	drawn, err := drawCharts(context.Background(), fam, jobs)
	if err != nil {
		t.Fatal(err)
	}
	if len(drawn) != len(jobs) {
		t.Fatalf("%d charts drawn for %d jobs", len(drawn), len(jobs))
	}
	for i, j := range jobs {
		png, err := chart.PNG(j.c, fam, chartW, j.height)
		if err != nil {
			t.Fatal(err)
		}
		if drawn[i].file != j.file || !bytes.Equal(drawn[i].png, png) {
			t.Errorf("chart %d: drawn as %s (%d bytes), want %s (%d bytes)", i, drawn[i].file, len(drawn[i].png), j.file, len(png))
		}
		if (drawn[i].svg != nil) != j.svg {
			t.Errorf("chart %d: SVG %v, want %v", i, drawn[i].svg != nil, j.svg)
		}
	}
}

// TestDrawChartsFailsOnTheFirst: of two charts that cannot be drawn, the error is the
// earlier one's, whichever goroutine met it first; a cancelled context stops it.
func TestDrawChartsFailsOnTheFirst(t *testing.T) {
	fam := fontstest.Latin(t)
	jobs := bars(6)
	jobs[4].height = 2 * vg.Centimeter
	jobs[2].c.(*chart.Bar).Groups = nil // nothing to draw
	_, err := drawCharts(context.Background(), fam, jobs)
	if err == nil || errors.Is(err, chart.ErrSize) || !bytes.Contains([]byte(err.Error()), []byte(`"Chart 3"`)) {
		t.Errorf("error %v, want chart 3's", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := drawCharts(ctx, fam, bars(3)); !errors.Is(err, context.Canceled) {
		t.Errorf("with a cancelled context: %v", err)
	}
}
