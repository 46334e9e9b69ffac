package transform

import (
	"embed"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

// modelFiles holds the SQL models. Each file is one SELECT with a header comment saying
// what it computes and from what; NN_name.sql becomes table name, and files run in name
// order so a model may read the models before it.
//
//go:embed models/*.sql
var modelFiles embed.FS

// model is one SQL model: the table it builds and the SELECT that fills it.
type model struct {
	name   string // table name
	file   string // models/NN_name.sql
	query  string
	header string // the first sentence of the leading comment
}

var modelName = regexp.MustCompile(`^(?:[0-9]+_)?([a-z][a-z0-9_]*)\.sql$`)

// loadModels reads the embedded models in name order.
func loadModels(fsys fs.FS) ([]model, error) {
	files, err := fs.Glob(fsys, "models/*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	models := make([]model, 0, len(files))
	seen := map[string]string{}
	for _, f := range files {
		m := modelName.FindStringSubmatch(path.Base(f))
		if m == nil {
			return nil, fmt.Errorf("model file %s: name it NN_table_name.sql in lower case", f)
		}
		if prev, dup := seen[m[1]]; dup {
			return nil, fmt.Errorf("model files %s and %s both build table %s", prev, f, m[1])
		}
		seen[m[1]] = f
		body, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		q := strings.TrimRight(strings.TrimSpace(string(body)), ";")
		models = append(models, model{name: m[1], file: f, query: q, header: firstSentence(headerComment(q))})
	}
	return models, nil
}

// headerComment returns the comment lines a model file starts with.
func headerComment(q string) string {
	var lines []string
	for _, l := range strings.Split(q, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, "--") {
			break
		}
		lines = append(lines, strings.TrimSpace(strings.TrimPrefix(l, "--")))
	}
	return strings.Join(lines, " ")
}

// firstSentence returns s up to and including its first full stop.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// buildSQL materializes m. The SELECT goes on its own line so its header comment cannot
// swallow the AS.
func (m model) buildSQL() string {
	return fmt.Sprintf("CREATE OR REPLACE TABLE %s AS\n%s\n", quoteIdent(m.name), m.query)
}

// Models returns the names of the tables built by the SQL models, in build order.
func Models() []string {
	ms, err := loadModels(modelFiles)
	if err != nil {
		return nil
	}
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.name
	}
	return names
}
