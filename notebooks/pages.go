package notebooks

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/hongbao/hongbao/internal/wholefile"
)

// FailedError says how many cells failed; the pages show where and why.
type FailedError struct {
	Failed, Cells int
	Pages         []string // the pages that show a failed cell
}

func (e *FailedError) Error() string {
	return fmt.Sprintf("%d of %d cells failed; each error is shown in place in %s", e.Failed, e.Cells, strings.Join(e.Pages, ", "))
}

// RunPages runs each notebook and writes its HTML page to pageFor(nb), whole (a browser
// open on it never shows half a page), with a line a notebook to progress. Every
// notebook runs even when one fails: the error is then a *FailedError counting the
// failed cells. It stops between notebooks once ctx is done.
func (rn *Runner) RunPages(ctx context.Context, nbs []*Notebook, pageFor func(*Notebook) string, progress io.Writer) error {
	failed := &FailedError{}
	for _, nb := range nbs {
		page := pageFor(nb)
		run := rn.Run(ctx, nb)
		if err := os.MkdirAll(filepath.Dir(page), 0o755); err != nil {
			return err
		}
		if err := wholefile.Write(page, 0o644, func(w io.Writer) error { return WriteHTML(w, run) }); err != nil {
			return err
		}
		status := "ok"
		if bad := run.Failed(); len(bad) > 0 {
			names := make([]string, len(bad))
			for i, c := range bad {
				names[i] = c.Cell.Name
			}
			status = fmt.Sprintf("%d failed: %s", len(bad), strings.Join(names, ", "))
			failed.Failed += len(bad)
			failed.Pages = append(failed.Pages, page)
		}
		failed.Cells += len(run.Cells)
		fmt.Fprintf(progress, "notebook %s: %d cells, %s (%s) -> %s\n", nb.Name, len(run.Cells), status,
			run.Elapsed.Round(1e6), page)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if failed.Failed > 0 {
		return failed
	}
	return nil
}
