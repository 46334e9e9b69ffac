package main

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/notebooks"
)

// notebookOptions are the flags of 'hongbao notebook run'.
type notebookOptions struct {
	output  string // the HTML page; default DIR/notebooks/NAME.html
	all     bool   // run every shipped notebook
	rows    int    // rows of a result the page shows
	sandbox sandboxFlags
}

func (o *notebookOptions) AddFlags(f *pflag.FlagSet) {
	f.StringVarP(&o.output, "output", "o", "", "the HTML page to write (default DIR/notebooks/NAME.html)")
	f.BoolVar(&o.all, "all", false, "run every shipped notebook, each to DIR/notebooks/NAME.html")
	f.IntVar(&o.rows, "rows", notebooks.DefaultShowRows, "rows of a result the page shows unless a cell says rows=N")
	o.sandbox.AddFlags(f)
}

func newNotebookCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "notebook",
		Short: "Run SQL notebooks (Markdown with sql cells) against the warehouse, to HTML",
		Long: `A notebook is a Markdown file whose top-level ` + "```sql" + ` blocks are cells. Each cell runs
against the warehouse (read-only; one session, so SET VARIABLE and temporary views carry
from cell to cell) and shows the result of its last statement as a table. A cell may
name itself and set how many rows the page shows: ` + "```sql name=peak rows=60" + `.

A ` + "```chart" + ` block right after a cell draws its result, one "key: value" a line:

  type: line               line (x: times or numbers) or bar (x: categories)
  x: minute                the column along the x axis
  y: claims, attempts      numeric columns, one line or bar group each
  series: provider         optional: one line or group per value of this column
  title: ...               optional, as are xlabel, ylabel and source
  ref: 25000 label         optional, repeatable: a horizontal line at a number, or at
                           the first row's value of a column (ref: column label)

'run' writes one self-contained HTML page: the prose, each cell's SQL, result, chart and
time, and a failed cell's error in place while the other cells still run.

A notebook is untrusted input: its cells run in the same sandbox as 'hongbao sql'. They
read the warehouse, DIR/lake and what --allow-read names, and a cell that would write a
file or a database, ATTACH, INSTALL or change a setting fails with a sentence and
writes nothing. Charts are
inline SVG whose text the browser draws with its own fonts, so Chinese labels need no
font installed where the page is written. The exit
status is 1 if any cell failed. 'list' names the notebooks shipped with hongbao; 'show'
prints one, to copy and edit.`,
		Example: "  hongbao notebook list\n" +
			"  hongbao notebook run midnight_peak\n" +
			"  hongbao notebook run my_analysis.md -o /tmp/my_analysis.html\n" +
			"  hongbao notebook run --all\n" +
			"  hongbao notebook show bank_coverage > my_banks.md",
		Args: cobra.NoArgs,
		RunE: sayWhatToDo("hongbao notebook run NAME|FILE.md, list or show NAME"),
	}
	cmd.AddCommand(newNotebookRunCommand(g), newNotebookListCommand(), newNotebookShowCommand())
	return cmd
}

func newNotebookRunCommand(g *globalOptions) *cobra.Command {
	var opts notebookOptions
	cmd := &cobra.Command{
		Use:   "run NAME|FILE.md ... [-o OUT.html]",
		Short: "Run notebooks against the warehouse and write each as an HTML page",
		Args: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.all && len(args) > 0:
				return usagef("--all runs every shipped notebook: name none with it")
			case !opts.all && len(args) == 0:
				return usagef("name a notebook (one of %s) or a Markdown file, or pass --all", strings.Join(notebooks.Shipped(), ", "))
			case opts.output != "" && (opts.all || len(args) > 1):
				return usagef("-o names one page: run one notebook with it")
			case opts.rows < 1:
				return usagef("--rows must be at least 1")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.all {
				args = notebooks.Shipped()
			}
			return runNotebooks(cmd.Context(), g, opts, args, cmd.ErrOrStderr())
		},
	}
	opts.AddFlags(cmd.Flags())
	return cmd
}

func newNotebookListCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List the notebooks shipped with hongbao",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := bufio.NewWriter(cmd.OutOrStdout())
			for _, name := range notebooks.Shipped() {
				nb, err := notebooks.Open(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(out, "%-20s %s\n", name, nb.Title)
			}
			return out.Flush()
		},
	}
}

func newNotebookShowCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "show NAME",
		Short: "Print a shipped notebook's Markdown, to copy and edit",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, err := notebooks.Source(args[0])
			if err != nil {
				return usagef("%v", err)
			}
			_, err = cmd.OutOrStdout().Write(src)
			return err
		},
	}
}

// runNotebooks runs each notebook against the warehouse of g.dir and writes its page.
// Every notebook runs even when one fails; the error counts the failed cells.
func runNotebooks(ctx context.Context, g *globalOptions, opts notebookOptions, refs []string, errOut io.Writer) error {
	if err := checkWritePlace("-o", opts.output, g.dir, datadir.Dir(g.dir).Notebooks()); err != nil {
		return err
	}
	var nbs []*notebooks.Notebook
	for _, ref := range refs {
		nb, err := notebooks.Open(ref)
		if errors.Is(err, notebooks.ErrNoNotebook) {
			return usagef("%v", err)
		}
		if err != nil {
			return err
		}
		nbs = append(nbs, nb)
	}
	w, conn, closeAll, err := openSQLWarehouse(ctx, g, opts.sandbox)
	if err != nil {
		return err
	}
	defer closeAll()
	pageFor := func(nb *notebooks.Notebook) string {
		return cmp.Or(opts.output, datadir.Dir(g.dir).NotebookPage(nb.Name))
	}
	rn := &notebooks.Runner{DB: conn, Warehouse: w.Path(), ShowRows: opts.rows}
	return rn.RunPages(ctx, nbs, pageFor, errOut)
}
