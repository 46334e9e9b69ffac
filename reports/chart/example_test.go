package chart_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"
	"time"

	"gonum.org/v1/plot/vg"

	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/reports/chart"
	"github.com/hongbao/hongbao/reports/fonts"
)

// A line chart over time with a reported figure as reference line and the
// computed peak annotated, drawn 16×9 cm at 200 dpi.
func ExampleLine() {
	fam, err := fonts.Latin() // fonts.Chinese("") for Chinese text
	if err != nil {
		log.Fatal(err)
	}
	midnight := time.Date(2014, 1, 31, 0, 0, 0, 0, locale.Zone)
	c := &chart.Line{
		Title:  "The midnight peak",
		XLabel: "China Standard Time",
		YLabel: "envelopes opened per minute",
		Source: "Source: hongbao simulated events (computed); CECRC via CRI Online (reported).",
		Series: []chart.Series{{
			T: []time.Time{midnight.Add(-2 * time.Minute), midnight.Add(-time.Minute), midnight, midnight.Add(time.Minute)},
			Y: []float64{9000, 14000, 24873, 17000},
		}},
		Refs:  []chart.RefLine{{Y: 25000, Label: "reported peak: 25,000/min"}},
		Notes: []chart.Note{{T: midnight, Y: 24873, Label: "computed: 24,873"}},
	}
	data, err := chart.PNG(c, fam, 16*vg.Centimeter, 9*vg.Centimeter)
	if err != nil {
		log.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(img.Bounds().Dx(), "x", img.Bounds().Dy())
	// Output: 1260 x 709
}
