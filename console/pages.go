package console

import (
	"bytes"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hongbao/hongbao/internal/datadir"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/notebooks"
	"github.com/hongbao/hongbao/query"
)

func (c *Console) facts(w http.ResponseWriter, r *http.Request) {
	l := lang(w, r)
	sheet, err := c.sheet(r.Context(), string(l))
	c.render(w, r, "facts", "facts", [2]string{"事实核对", "Facts sheet"}, sheet, err)
}

// reportFiles are the files of the report folder the console shows: the PDF and the
// charts.
func (c *Console) reportFiles() ([]string, error) {
	entries, err := os.ReadDir(datadir.Dir(c.cfg.Dir).Reports())
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if ext := strings.ToLower(filepath.Ext(e.Name())); !e.IsDir() && (ext == ".pdf" || ext == ".png" || ext == ".svg") {
			names = append(names, e.Name())
		}
	}
	slices.Sort(names)
	return names, nil
}

type reportData struct {
	PDFs, Charts []string
}

func (c *Console) report(w http.ResponseWriter, r *http.Request) {
	names, err := c.reportFiles()
	l := lang(w, r)
	d := &reportData{}
	for _, n := range names {
		switch {
		case strings.EqualFold(filepath.Ext(n), ".pdf"):
			d.PDFs = append(d.PDFs, n)
		case strings.Contains(n, ".zh.") && l != locale.Chinese, strings.Contains(n, ".en.") && l == locale.Chinese:
			// the chart in the other language
		default:
			d.Charts = append(d.Charts, n)
		}
	}
	c.render(w, r, "report", "report", [2]string{"报告", "Report"}, d, err)
}

// reportFile serves one file the report page lists, and no other.
func (c *Console) reportFile(w http.ResponseWriter, r *http.Request) {
	names, err := c.reportFiles()
	name := r.PathValue("file")
	if err != nil || !slices.Contains(names, name) {
		http.NotFound(w, r)
		return
	}
	http.ServeFile(w, r, filepath.Join(datadir.Dir(c.cfg.Dir).Reports(), name))
}

type notebookEntry struct {
	Name, Title string
}

func (c *Console) notebooks(w http.ResponseWriter, r *http.Request) {
	var list []notebookEntry
	var err error
	for _, name := range notebooks.Shipped() {
		nb, oerr := notebooks.Open(name)
		if oerr != nil {
			err = oerr
			continue
		}
		list = append(list, notebookEntry{Name: name, Title: nb.Title})
	}
	c.render(w, r, "notebooks", "notebooks", [2]string{"笔记本", "Notebooks"}, list, err)
}

type notebookData struct {
	Name, Title string
	Run         bool
	Blocks      []notebookBlock
}

type notebookBlock struct {
	Prose template.HTML
	SQL   string
	Cell  string
}

// shippedNotebook opens a shipped notebook by name, and only a shipped one: the name
// comes from the URL, and must not name a file.
func shippedNotebook(name string) (*notebooks.Notebook, bool) {
	if !slices.Contains(notebooks.Shipped(), name) {
		return nil, false
	}
	nb, err := notebooks.Open(name)
	return nb, err == nil
}

func (c *Console) notebook(w http.ResponseWriter, r *http.Request) {
	nb, ok := shippedNotebook(r.PathValue("name"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	d := &notebookData{Name: nb.Name, Title: nb.Title, Run: r.URL.Query().Get("run") != ""}
	for _, b := range nb.Blocks {
		if b.Cell != nil {
			d.Blocks = append(d.Blocks, notebookBlock{SQL: b.Cell.SQL, Cell: b.Cell.Name})
		} else {
			d.Blocks = append(d.Blocks, notebookBlock{Prose: template.HTML(b.HTML)}) // goldmark output, raw HTML left out
		}
	}
	c.render(w, r, "notebook", "notebooks", [2]string{nb.Title, nb.Title}, d, nil)
}

// notebookRun runs a shipped notebook against the sandbox and serves the runner's own
// page (notebooks.WriteHTML), which the notebook page frames.
func (c *Console) notebookRun(w http.ResponseWriter, r *http.Request) {
	nb, ok := shippedNotebook(r.PathValue("name"))
	if !ok {
		http.NotFound(w, r)
		return
	}
	var page bytes.Buffer
	err := c.withSandbox(r.Context(), func(sb *query.Sandbox) error {
		conn, err := sb.DB().Conn(r.Context())
		if err != nil {
			return err
		}
		defer conn.Close()
		run := (&notebooks.Runner{DB: conn, Warehouse: sb.Path()}).Run(r.Context(), nb)
		return notebooks.WriteHTML(&page, run)
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(page.Bytes())
}
