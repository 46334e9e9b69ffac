package query

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"

	"github.com/duckdb/duckdb-go/v2"
)

// A page is as many rows as make about pageBytes, by the size of the rows read so far:
// each page is one query, whose rows the driver holds whole, and each costs a scan that
// grows with the table (3.9 ms a page of a 20-million-row table, 11 ms of a 40-million
// one), so pages should be as large as memory allows. The first holds firstPageRows.
const (
	pageBytes     = 16 << 20
	firstPageRows = 16384
	minPageRows   = 1024
	maxPageRows   = 1 << 20
)

// queryPaged runs stmt, one query the sandbox has checked, into a temporary table and
// returns rows that read the table back a page at a time, in its order.
//
// The DuckDB driver holds a query's whole result in memory, outside the buffer pool and
// its memory_limit, before the first row is read: 'hongbao sql --format csv' of 40
// million rows peaked at 1.05 GB whatever HONGBAO_DUCKDB_MEMORY said, and the prompt,
// which shows 10,000 rows, held every row of the result too. A temporary table lives in
// the buffer pool instead, and beyond its cap in the sandbox's temporary files (at most
// maxSpill), so the memory a result takes is bounded by the cap and one page.
//
// A query the table cannot take runs as it is, so that its error reads in the words of
// the query typed rather than of the statement around it; a query that ran out of
// memory or temporary space, or was interrupted, does not run again.
//
// columns are the query's column names, as statementType read them: a table renames a
// repeated name (a, a_1), which the result must not.
func (c *sandboxConn) queryPaged(ctx context.Context, stmt string, columns []string) (driver.Rows, error) {
	c.results++
	table := fmt.Sprintf(`temp.main."_hongbao_result_%d"`, c.results)
	// The query is exactly one statement by DuckDB's reading (statementType), so it
	// cannot close the parentheses around it; the line breaks end a trailing comment.
	create := "CREATE TEMP TABLE " + table + " AS SELECT * FROM (\n" + stmt + "\n)"
	if n, ok := ctx.Value(rowLimitKey{}).(int); ok {
		create += " LIMIT " + strconv.Itoa(n)
	}
	_, err := c.inner.ExecContext(ctx, create, nil)
	if err != nil {
		var de *duckdb.Error
		if ctx.Err() != nil || errors.As(err, &de) && (de.Type == duckdb.ErrorTypeOutOfMemory || de.Type == duckdb.ErrorTypeInterrupt) {
			return nil, sandboxError(err, "")
		}
		rows, err := c.inner.QueryContext(ctx, stmt, nil)
		return rows, sandboxError(err, "")
	}
	p := &pagedRows{ctx: ctx, c: c, table: table, size: firstPageRows}
	// The first page opens even when empty: it gives the columns' types.
	if err := p.open(); err != nil {
		p.Close()
		return nil, err
	}
	n := len(p.cur.Columns())
	p.names = p.cur.Columns()
	if len(columns) == n {
		p.names = columns
	}
	p.dbTypes, p.scanTypes = make([]string, n), make([]reflect.Type, n)
	for i := range n {
		if t, ok := p.cur.(driver.RowsColumnTypeDatabaseTypeName); ok {
			p.dbTypes[i] = t.ColumnTypeDatabaseTypeName(i)
		}
		if t, ok := p.cur.(driver.RowsColumnTypeScanType); ok {
			p.scanTypes[i] = t.ColumnTypeScanType(i)
		}
	}
	return p, nil
}

// rowLimitKey marks a context whose query needs no more than its value of rows (the
// prompt and the aligned formats show the first 10,000): the table keeps only those,
// and DuckDB may stop the query early.
type rowLimitKey struct{}

func withRowLimit(ctx context.Context, rows int) context.Context {
	return context.WithValue(ctx, rowLimitKey{}, rows)
}

// pagedRows reads a result held in a temporary table, one page of rows at a time, and
// drops the table on Close.
type pagedRows struct {
	ctx       context.Context
	c         *sandboxConn
	table     string
	next      int64 // the first row of the page after cur
	cur       driver.Rows
	size      int64 // rows asked of cur's page, then of the next
	inPage    int64 // rows read from cur
	read      int64 // rows read, and their bytes, roughly
	readBytes int64
	names     []string
	dbTypes   []string
	scanTypes []reflect.Type
}

var (
	_ driver.RowsColumnTypeDatabaseTypeName = (*pagedRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*pagedRows)(nil)
)

// open starts reading the page from row next on. A table's rows keep the order they
// were inserted in, which is the query's (DuckDB preserves insertion order).
func (p *pagedRows) open() error {
	if p.read > 0 {
		p.size = min(max(pageBytes*p.read/max(p.readBytes, 1), minPageRows), maxPageRows)
	}
	q := fmt.Sprintf("SELECT * FROM %s WHERE rowid >= %d AND rowid < %d", p.table, p.next, p.next+p.size)
	rows, err := p.c.inner.QueryContext(p.ctx, q, nil)
	if err != nil {
		return sandboxError(err, "")
	}
	p.cur, p.next, p.inPage = rows, p.next+p.size, 0
	return nil
}

// rowBytes is roughly what a row takes in memory: its strings and blobs, and 16 bytes
// for any other value.
func rowBytes(row []driver.Value) int64 {
	var n int64
	for _, v := range row {
		switch v := v.(type) {
		case string:
			n += int64(len(v)) + 16
		case []byte:
			n += int64(len(v)) + 24
		default:
			n += 16
		}
	}
	return n
}

func (p *pagedRows) Columns() []string                       { return p.names }
func (p *pagedRows) ColumnTypeDatabaseTypeName(i int) string { return p.dbTypes[i] }
func (p *pagedRows) ColumnTypeScanType(i int) reflect.Type   { return p.scanTypes[i] }

func (p *pagedRows) Next(dest []driver.Value) error {
	for {
		if p.cur != nil {
			err := p.cur.Next(dest)
			if err == nil {
				p.read++
				p.inPage++
				p.readBytes += rowBytes(dest)
			}
			if err != io.EOF {
				return err
			}
			err = p.cur.Close()
			p.cur = nil
			if err != nil {
				return err
			}
			if p.inPage < p.size { // a page short of what it asked for is the last
				return io.EOF
			}
		}
		if err := p.open(); err != nil {
			return err
		}
	}
}

// Close drops the table. An error dropping it is not the caller's: the table is
// temporary and leaves with the connection, and in a transaction that failed it is
// gone already.
func (p *pagedRows) Close() error {
	var err error
	if p.cur != nil {
		err = p.cur.Close()
		p.cur = nil
	}
	p.c.inner.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+p.table, nil)
	return err
}
