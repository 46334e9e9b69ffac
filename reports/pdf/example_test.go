package pdf_test

import (
	"fmt"
	"io"
	"log"

	"github.com/hongbao/hongbao/reports/fonts"
	"github.com/hongbao/hongbao/reports/pdf"
)

// A report with a title page and a table of figures, each labelled
// reported, computed or assumed.
func ExampleDocument() {
	fam, err := fonts.Latin() // fonts.Chinese("") for Chinese text
	if err != nil {
		log.Fatal(err)
	}
	d, err := pdf.New(fam, pdf.Meta{Title: "hongbao report", Lang: "en", Footer: "hongbao"})
	if err != nil {
		log.Fatal(err)
	}
	d.TitlePage("Red envelopes, Spring Festival 2014", "A report for strategists")
	d.Heading(1, "Figures")
	d.Paragraph("Every figure is labelled reported (with its source), computed from event data, or assumed.")
	d.Table(pdf.Table{
		Columns: []pdf.Column{{Title: "Figure", Width: 3}, {Title: "Value", Align: pdf.Right}, {Title: "Kind"}},
		Rows: [][]string{
			{"Banks WeChat Pay can bind", "12", "reported"},
			{"Banks Alipay can bind", "~180", "reported"},
		},
	})
	if err := d.Write(io.Discard); err != nil {
		log.Fatal(err)
	}
	fmt.Println(d.Pages(), "pages")
	// Output: 2 pages
}
