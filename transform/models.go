package transform

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/hongbao/hongbao/internal/datadir"
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
	name    string // table name
	file    string // models/NN_name.sql
	query   string // the file, header comment included
	header  string // the leading comment up to its column list
	columns []sqlfile.Column
}

// loadModels reads the embedded models in name order.
func loadModels(fsys fs.FS) ([]model, error) {
	files, err := sqlfile.Load(fsys, "models/*.sql")
	if err != nil {
		return nil, err
	}
	models := make([]model, len(files))
	for i, f := range files {
		models[i] = model{name: f.Name, file: f.Path, query: f.SQL, header: f.Header, columns: f.Columns}
	}
	return models, nil
}

// firstSentence returns s up to and including its first full stop.
func firstSentence(s string) string { return sqlfile.FirstSentence(s) }

// userParts is how many passes build a model that holds the placeholder {user_part}:
// pass i renders it as hash(user_id) % userParts = i, so that each pass aggregates a
// share of the users. Four passes over the full festival's five million users took
// user_funnel (whose aggregate over the grabs is user_grabs' now) from 34 s to 27–31 s
// and the refresh's peak RSS from 1.55 to 1.22 GB. Three passes, once user_funnel read
// user_grabs, took the refresh of the full festival from 57 to 50 s and 96 to 82 CPU-s
// at 0.70–0.79 GB; two took 24 s a pass for user_grabs alone, at the 1 GB cap
// (docs/BENCHMARKS.md). The placeholder must be rendered as literals: DuckDB does not
// push a filter on getvariable() into the Parquet scan, and the same passes then took
// four times as long.
const userParts = 3

// userPart names the placeholder {user_part} of a model built in userParts passes.
const userPart = "user_part"

// parts is the number of passes that build m: userParts for a model that holds
// {user_part}, else one.
func (m model) parts() int {
	if strings.Contains(m.query, "{"+userPart+"}") {
		return userParts
	}
	return 1
}

// pass is the query of pass i of n: {user_part} rendered as the share of the users
// that pass holds, or as true when one pass holds them all, and the windows'
// placeholders ({eve}, {end}, …) as the instants of w.
func (m model) pass(i, n int, w datadir.Windows) string {
	cond := "true"
	if n > 1 {
		cond = fmt.Sprintf("hash(user_id) %% %d = %d", n, i)
	}
	args := w.SQL()
	args[userPart] = cond
	return sqlfile.Render(m.query, args)
}

// build materializes m on tx, in m.parts() passes, with the windows w: the first pass
// creates the table, the others add to it. The SELECT goes on its own line so its
// header comment cannot swallow the AS.
func (m model) build(ctx context.Context, tx *sql.Tx, w datadir.Windows) error {
	n := m.parts()
	for i := range n {
		stmt := "CREATE OR REPLACE TABLE %s AS\n%s\n"
		if i > 0 {
			stmt = "INSERT INTO %s\n%s\n"
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(stmt, quoteIdent(m.name), m.pass(i, n, w))); err != nil {
			return err
		}
	}
	return nil
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
