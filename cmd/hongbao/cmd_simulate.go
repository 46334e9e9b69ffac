package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/kafkasec"
	"github.com/hongbao/hongbao/ingest/produce"
	"github.com/hongbao/hongbao/ingest/simulate"
	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/refdata"
)

// worldOptions choose the world a simulation replays; simulate and demo share them.
type worldOptions struct {
	scale       float64
	seed        uint64
	calibration string
	banks       string
	listCals    bool
}

func (o *worldOptions) AddFlags(f *pflag.FlagSet) {
	f.Float64Var(&o.scale, "scale", 0.01, "share of the full festival to simulate: 1 is every event of 2014, 0.01 the demo")
	f.Uint64Var(&o.seed, "seed", 2014, "random seed; the same seed and scale give the same events, byte for byte")
	f.StringVar(&o.calibration, "calibration", simulate.DefaultName, "the world to replay: a built-in calibration (2014, 2014-since-launch, 2016; see --list-calibrations) or a calibration file (JSON) to model another year or market; see 'hongbao simulate --print-calibration'")
	f.BoolVar(&o.listCals, "list-calibrations", false, "list the built-in calibrations and exit")
	f.StringVar(&o.banks, "banks", "", "bank table (CSV, the columns of refdata/banks.csv) to draw users' card banks from")
}

// check refuses a --scale no simulation runs at (NaN included), before anything starts.
func (o *worldOptions) check() error {
	if !(o.scale > 0 && o.scale <= datadir.MaxScale) {
		return usagef("--scale %g must be above 0 and at most %d (1 is the full festival, 0.01 the demo)", o.scale, datadir.MaxScale)
	}
	return nil
}

type simulateOptions struct {
	kafka    kafkaOptions
	world    worldOptions
	output   string
	printCal bool
	dir      string // data folder that receives run.json (and the bank table)
}

func (o *simulateOptions) AddFlags(f *pflag.FlagSet) {
	o.kafka.AddFlags(f)
	o.world.AddFlags(f)
	f.StringVar(&o.output, "output", "", "write the events as JSON lines to this file ('-' for stdout) instead of Kafka")
	f.BoolVar(&o.printCal, "print-calibration", false, "print the calibration file chosen with --calibration (the default's without it), to copy and edit, and exit")
}

func newSimulateCommand(g *globalOptions) *cobra.Command {
	o := &simulateOptions{}
	c := &cobra.Command{
		Use:   "simulate",
		Short: "Replay the 2014 red-envelope festival as events into Kafka",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.world.listCals {
				return listCalibrations(cmd.OutOrStdout())
			}
			if o.printCal {
				b, ok := simulate.BuiltinJSON(o.world.calibration)
				if !ok {
					return usagef("--print-calibration prints a built-in calibration; %q is none (see --list-calibrations)", o.world.calibration)
				}
				_, err := cmd.OutOrStdout().Write(b)
				return err
			}
			o.dir = g.dir
			st, err := runSimulate(cmd.Context(), o)
			if err != nil {
				return err
			}
			summary := io.Writer(os.Stdout)
			if o.output == "-" {
				summary = os.Stderr // stdout carries the events
			}
			st.Print(summary)
			return nil
		},
	}
	o.AddFlags(c.Flags())
	return c
}

// listCalibrations prints the built-in calibrations, one a line.
func listCalibrations(w io.Writer) error {
	for _, c := range simulate.Builtins() {
		fmt.Fprintf(w, "%-18s %s\n", c.Name, c.Title)
	}
	_, err := fmt.Fprintln(w, "\nPass --calibration NAME, or --calibration FILE for a file of your own (start from 'hongbao simulate --print-calibration --calibration NAME').")
	return err
}

// runSimulate generates the events and produces them (or writes them to --output).
func runSimulate(ctx context.Context, o *simulateOptions) (produce.Stats, error) {
	if err := o.world.check(); err != nil {
		return produce.Stats{}, err
	}
	if o.output != "-" && o.dir != "" {
		if err := checkWritePlace("--output", o.output, o.dir, ""); err != nil {
			return produce.Stats{}, err
		}
	}
	brokers, sec, err := o.kafka.connect(os.Stderr)
	if err != nil {
		return produce.Stats{}, err
	}
	cal, err := simulate.LoadCalibration(o.world.calibration)
	if err != nil {
		return produce.Stats{}, usagef("%v (name a built-in calibration, see --list-calibrations, or start a file from a copy of 'hongbao simulate --print-calibration')", err)
	}
	var banks []simulate.Bank
	var banksCSV []byte
	if o.world.banks != "" {
		if banksCSV, err = os.ReadFile(o.world.banks); err != nil {
			return produce.Stats{}, usagef("--banks: %v", err)
		}
		rb, err := refdata.ParseBanks(bytes.NewReader(banksCSV))
		if err != nil {
			return produce.Stats{}, usagef("--banks %s: %v", o.world.banks, err)
		}
		banks = simulate.BanksFrom(rb)
	}
	if o.output == "" {
		// Before anything is written: a refused password leaves no run.json behind.
		if err := kafkasec.CheckReachable(ctx, brokers, sec); err != nil {
			return produce.Stats{}, err
		}
	}
	minutes := int64(cal.Window.End.Sub(cal.Window.Start) / time.Minute)
	bar := newProgress(minutes, fmt.Sprintf("simulate (scale %g, seed %d)", o.world.scale, o.world.seed))
	sim, err := simulate.New(simulate.Config{Calibration: cal, Banks: banks, Scale: o.world.scale, Seed: o.world.seed,
		OnMinute: func(done, _ int) { bar.Set(int64(done)) }})
	if err != nil {
		return produce.Stats{}, usagef("%v", err)
	}
	if o.dir != "" && o.output == "" {
		// What 'hongbao facts' and the report judge the data against, and the bank
		// table the run drew from, which the warehouse loads.
		d := datadir.Dir(o.dir)
		if err := sim.WriteRunRecord(d); err != nil {
			return produce.Stats{}, fmt.Errorf("record the run in %s: %w", o.dir, err)
		}
		if err := d.WriteBanks(banksCSV); err != nil {
			return produce.Stats{}, err
		}
	}

	if o.output != "" {
		return simulateToFile(ctx, sim, o.output, bar)
	}
	p := produce.New(produce.Config{Brokers: brokers, Topic: o.kafka.topic, Security: sec})
	err = sim.Run(ctx, func(e *events.Event) error { return p.Add(ctx, e) })
	if cerr := p.Close(ctx); err == nil {
		err = cerr
	}
	st := p.Acked()
	if err != nil && ctx.Err() != nil {
		// Interrupted: say what the topic holds now.
		return st, fmt.Errorf("simulate stopped before the end (%w): the broker acknowledged %d events, now in %s",
			ctx.Err(), st.Messages, o.kafka.topic)
	}
	if err != nil {
		return st, err
	}
	bar.Done("%d events produced to %s", st.Messages, o.kafka.topic)
	return st, nil
}

func simulateToFile(ctx context.Context, sim *simulate.Simulator, path string, bar *progress) (produce.Stats, error) {
	var out io.Writer = os.Stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return produce.Stats{}, err
		}
		defer f.Close()
		out = f
	}
	lw := produce.NewLineWriter(out)
	err := sim.Run(ctx, func(e *events.Event) error { return lw.Add(ctx, e) })
	if err == nil {
		err = lw.Flush()
	}
	st := lw.Written()
	if err == nil {
		bar.Done("%d events written to %s", st.Messages, path)
	}
	return st, err
}
