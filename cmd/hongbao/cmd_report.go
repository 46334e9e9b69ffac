package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/reports/report"
)

type reportOptions struct {
	lang string
	out  string
	font string
}

func (o *reportOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.lang, "lang", "both", "zh, en, or both: one PDF with the Chinese report first and the English one after it")
	f.StringVar(&o.out, "out", "", "folder for the PDF and the chart PNGs (default DIR/reports)")
	f.StringVar(&o.font, "font", "", "TrueType font (.ttf or .ttc) for Chinese text (default $HONGBAO_FONT, else the first suitable system font)")
}

func newReportCommand(g *globalOptions) *cobra.Command {
	o := &reportOptions{}
	c := &cobra.Command{
		Use:   "report",
		Short: "Write the strategist report: one PDF and a PNG per chart",
		Long: `report reads the warehouse and writes the strategist report to --out (default
DIR/reports): hongbao-report.pdf and one PNG per chart, named NN-chart.LANG.png. The
sections: headline figures beside the article's, the midnight peak, payment adoption
(WeChat Pay and Alipay), bank coverage (12 banks against about 180), payment scenarios
and the market, risk, and the method. Every number is labelled reported (with its
source), computed from the events, or assumed.

--lang both (the default) writes one bilingual PDF: the Chinese report, then the
English one. Chinese needs a TrueType font that covers Chinese (install one with
'apt-get install fonts-wqy-microhei', or pass --font or HONGBAO_FONT); --lang en needs
none.`,
		Example: "  hongbao report\n  hongbao report --lang en --out /tmp/report",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := runReport(cmd.Context(), g, o, cmd.OutOrStdout())
			return err
		},
	}
	o.AddFlags(c.Flags())
	return c
}

// runReport builds the report of g.dir and prints what it wrote to out.
func runReport(ctx context.Context, g *globalOptions, o *reportOptions, out io.Writer) (*report.Result, error) {
	switch o.lang {
	case "zh", "en", "both":
	default:
		return nil, usagef("--lang %q is not zh, en or both", o.lang)
	}
	if err := checkWritePlace("--out", o.out, g.dir, datadir.Dir(g.dir).Reports()); err != nil {
		return nil, err
	}
	p := newProgress(1, "report "+g.dir)
	opts := report.Options{Dir: g.dir, Out: o.out, Lang: o.lang, FontPath: o.font}
	if p.bar != nil {
		opts.Progress = func(done, total int) {
			p.bar.ChangeMax(total)
			p.Set(int64(done))
		}
	}
	res, err := report.Build(ctx, opts)
	if err != nil {
		return nil, err
	}
	p.Done("%d pages, %d charts", res.Pages, len(res.Charts))
	fmt.Fprintf(out, "%s  %d pages, set in %s\n", res.PDF, res.Pages, res.Font)
	fmt.Fprintf(out, "%s  %d chart PNGs\n", filepath.Join(filepath.Dir(res.PDF), "NN-*.png"), len(res.Charts))
	fmt.Fprintf(out, "wall time: %s\n", res.Elapsed.Round(time.Millisecond))
	return res, nil
}
