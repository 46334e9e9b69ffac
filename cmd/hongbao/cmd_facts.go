package main

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/transform"
	"github.com/hongbao/hongbao/transform/facts"
)

type factsOptions struct {
	format  string
	lang    string
	showSQL bool
	scale   float64
}

func (o *factsOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVar(&o.format, "format", "table", "output: "+strings.Join(facts.Formats, ", ")+" (markdown pastes into slides)")
	f.StringVar(&o.lang, "lang", "en", "language of titles and notes: en or zh")
	f.BoolVar(&o.showSQL, "show-sql", false, "print the query behind every computed figure")
	f.Float64Var(&o.scale, "scale", 0, "scale of the data against 2014 (default: from DIR/run.json, else 1)")
}

func newFactsCommand(g *globalOptions) *cobra.Command {
	o := &factsOptions{}
	c := &cobra.Command{
		Use:   "facts",
		Short: "The figures trainers cite: reported, computed from the warehouse, and a verdict",
		Long: `facts lists every statistic of the 2014 article with its Chinese source quote and
source, the value computed from the warehouse by a named SQL query (--show-sql), the
difference, and a verdict: reproduced, not_reproduced, or not_derivable (a market figure
no event can give). Counts are compared with the reported value times the run's scale,
read from DIR/run.json, which simulate and demo leave. Then the article's consistency
checks, computed from the data.`,
		Example: "  hongbao facts\n  hongbao facts --format markdown --lang zh\n  hongbao facts --format json --show-sql",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runFacts(cmd.Context(), g, o, cmd.OutOrStdout())
		},
	}
	o.AddFlags(c.Flags())
	return c
}

func runFacts(ctx context.Context, g *globalOptions, o *factsOptions, out io.Writer) error {
	if !slices.Contains(facts.Formats, o.format) {
		return usagef("--format %q is not one of %s", o.format, strings.Join(facts.Formats, ", "))
	}
	if o.lang != "en" && o.lang != "zh" {
		return usagef("--lang %q is not en or zh", o.lang)
	}
	if o.scale != 0 && !(o.scale > 0 && o.scale <= datadir.MaxScale) {
		return usagef("--scale %g must be above 0 and at most %d, as a simulation's is (leave it out to take the run record's)", o.scale, datadir.MaxScale)
	}
	run, hasRun, err := datadir.Dir(g.dir).ReadRun()
	if err != nil {
		return err
	}
	if o.scale > 0 {
		run.Scale = o.scale
	}
	w, err := transform.OpenReadOnly(g.dir)
	if err != nil {
		return err
	}
	defer w.Close()
	sheet, err := facts.Compute(ctx, w.DB(), run, hasRun, o.lang)
	if err != nil {
		return err
	}
	return sheet.Write(out, o.format, o.showSQL)
}
