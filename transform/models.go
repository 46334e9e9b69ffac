package transform

import (
	"embed"
	"fmt"
	"io/fs"

	"github.com/hongbao/hongbao/internal/sqlfile"
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
	query  string // the file, header comment included
	header string // the first sentence of the leading comment
}

// loadModels reads the embedded models in name order.
func loadModels(fsys fs.FS) ([]model, error) {
	files, err := sqlfile.Load(fsys, "models/*.sql")
	if err != nil {
		return nil, err
	}
	models := make([]model, len(files))
	for i, f := range files {
		models[i] = model{name: f.Name, file: f.Path, query: f.SQL, header: f.About()}
	}
	return models, nil
}

// headerComment returns the comment lines a model file starts with.
func headerComment(q string) string { return sqlfile.Header(q) }

// firstSentence returns s up to and including its first full stop.
func firstSentence(s string) string { return sqlfile.FirstSentence(s) }

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
