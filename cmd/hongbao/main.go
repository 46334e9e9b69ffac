// Command hongbao is the command line of the hongbao pipeline: flags and wiring only.
// Each verb lives in cmd_<verb>.go as newXCommand(*globalOptions) with an options
// struct and a runX function that holds the work, so tests can call runX directly.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/textwrap"
)

// Exit codes, listed in the long help.
const (
	exitOK       = 0
	exitFailure  = 1 // the command ran and failed
	exitUsage    = 2 // wrong flags or arguments
	exitDataLost = 3 // reserved: never used for recoverable errors
)

// usageError is an error in how the command was called; its message is a sentence
// that names the fix.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// sayWhatToDo is the RunE of a command that only groups verbs: run alone, it is a
// usage error that names them.
func sayWhatToDo(verbs string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, _ []string) error {
		return usagef("say what to do: %s (see '%s --help')", verbs, cmd.CommandPath())
	}
}

// globalOptions are the flags every command shares.
type globalOptions struct {
	dir string // data folder: lake, warehouse, reports
}

func newRootCommand() *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "hongbao",
		Short: "Red-envelope and mobile-payment analytics: Kafka → Arrow → Parquet lake → DuckDB → reports",
		Long: `hongbao replays the first WeChat red-envelope Spring Festival (2014) through Kafka,
lands the events in a Parquet lake and a DuckDB warehouse, and answers questions about
them with SQL, a facts sheet, reports and notebooks.

Start with:  hongbao demo

Exit codes: 0 success, 1 the command failed, 2 wrong flags or arguments.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVar(&g.dir, "dir", envOr("HONGBAO_DIR", "./hongbao-data"), "data folder holding the lake, the warehouse and reports (env HONGBAO_DIR)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usagef("%v (see 'hongbao %s --help')", err, c.Name())
	})
	for _, add := range commandBuilders {
		root.AddCommand(add(g))
	}
	return root
}

// commandBuilders lists the verbs; each cmd_<verb>.go adds itself here in its file's
// var block, so the list is visible in one place at link time without init().
var commandBuilders = []func(*globalOptions) *cobra.Command{
	newBrokerCommand,
	newSimulateCommand,
	newIngestCommand,
	newTransformCommand,
	newQuarantineCommand,
	newSQLCommand,
	newFactsCommand,
	newNotebookCommand,
	newReportCommand,
	newDemoCommand,
	newServeCommand,
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// HONGBAO_CPUPROFILE=FILE writes a CPU profile of the run, for docs/BENCHMARKS.md.
	if p := os.Getenv("HONGBAO_CPUPROFILE"); p != "" {
		if f, err := os.Create(p); err == nil {
			_ = pprof.StartCPUProfile(f)
		}
	}
	// HONGBAO_TRACE=FILE writes an execution trace (go tool trace): where the
	// goroutines wait, which a CPU profile does not show.
	if p := os.Getenv("HONGBAO_TRACE"); p != "" {
		if f, err := os.Create(p); err == nil {
			_ = trace.Start(f) // stopped before os.Exit below
		}
	}
	// HONGBAO_MEMPROFILE=FILE rewrites a heap profile every 10 s, to see what a long
	// run holds at its peak.
	if p := os.Getenv("HONGBAO_MEMPROFILE"); p != "" {
		go func() {
			for range time.Tick(10 * time.Second) {
				if f, err := os.Create(p); err == nil {
					_ = pprof.Lookup("heap").WriteTo(f, 0)
					f.Close()
				}
			}
		}()
	}
	err := newRootCommand().ExecuteContext(ctx)
	code := exitCode(err)
	pprof.StopCPUProfile()
	trace.Stop()
	os.Exit(code)
}

// exitCode prints err for a person and maps it to the process exit status. What a
// terminal would act on in the message (an error may quote a value from the data) is
// shown as text.
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(os.Stderr, "hongbao:", textwrap.Inert(ue.msg, true))
		return exitUsage
	}
	fmt.Fprintln(os.Stderr, "hongbao:", textwrap.Inert(err.Error(), true))
	return exitFailure
}

// checkWritePlace refuses a place the user names for a command to write (flag's value,
// path; empty is the default) inside data folder dir, except in own, the folder of
// the data folder where that command keeps its files (DIR/reports, DIR/notebooks,
// DIR/broker; empty for none): a slip such as -o DIR/warehouse.duckdb would replace
// the warehouse.
func checkWritePlace(flag, path, dir, own string) error {
	if path == "" || !datadir.Holds(dir, path) || own != "" && datadir.Holds(own, path) {
		return nil
	}
	fix := "choose a place outside it"
	if own != "" {
		fix += fmt.Sprintf(", or omit %s (the default is %s)", flag, own)
	}
	return usagef("%s %s is inside the data folder %s, whose files only hongbao's own commands write: %s", flag, path, dir, fix)
}
