package query

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/hongbao/hongbao/internal/locale"
	"github.com/hongbao/hongbao/transform"
)

// Result is the outcome of a query with every value converted for printing.
type Result struct {
	Columns []string  // column names, in select order
	Types   []string  // DuckDB type of each column, as the driver names it (BIGINT, TIMESTAMPTZ, ...)
	Rows    [][]Value // one Value per column
	More    bool      // QueryLimit stopped before the last row
	// Total is how many rows the query returned, Rows and those left out. After
	// QueryLimit stopped early (More) it is unknown and 0; QueryHead counts it.
	Total int64
}

// Kind says how a Value is written where the format distinguishes types (JSON).
type Kind int

// The kinds of Value.
const (
	KindNull   Kind = iota // SQL NULL
	KindText               // strings, times, blobs, UUIDs, intervals
	KindNumber             // integers, decimals and finite floats; Text is a JSON number
	KindBool               // Text is true or false
	KindJSON               // lists, structs, maps and JSON values; Text is their JSON
)

// Value is one cell of a Result.
type Value struct {
	Text string // the value as printed; empty for NULL
	Kind Kind

	json string // when set, the JSON form replacing a quoted Text (TIMESTAMPTZ with its offset)
}

// shanghai is the zone TIMESTAMPTZ values, which the driver returns in UTC, print in.
var shanghai = locale.Zone

// Queryer runs a query: *sql.DB, *sql.Conn and *sql.Tx all do. A *sql.Conn keeps one
// session (SET, temporary tables) from statement to statement, as a prompt needs.
type Queryer = transform.Queryer

// Query runs query on db and returns all its rows. On a Sandbox or a warehouse opened
// with OpenReadOnly, a statement that writes fails with ErrRefused and changes nothing.
// With several statements separated by ';', the rows are those of the last.
func Query(ctx context.Context, db Queryer, query string) (*Result, error) {
	return QueryLimit(ctx, db, query, 0)
}

// QueryLimit is Query keeping at most maxRows rows (all if maxRows <= 0); Result.More
// says whether rows were left out.
func QueryLimit(ctx context.Context, db Queryer, query string, maxRows int) (*Result, error) {
	return queryRows(ctx, db, query, maxRows, false)
}

// QueryHead is QueryLimit reading on past the rows it keeps, so that Result.Total
// counts every row: what a notebook needs to say "the first 50 of 8,160 rows". The rows
// left out are counted, not converted.
func QueryHead(ctx context.Context, db Queryer, query string, maxRows int) (*Result, error) {
	return queryRows(ctx, db, query, maxRows, true)
}

func queryRows(ctx context.Context, db Queryer, query string, maxRows int, count bool) (*Result, error) {
	res := &Result{}
	if maxRows > 0 && !count {
		ctx = withRowLimit(ctx, maxRows+1) // one more, to know there are more
	}
	err := QueryEach(ctx, db, query, func(columns, types []string) error {
		res.Columns, res.Types = columns, types
		return nil
	}, func(row []Value) error {
		if maxRows > 0 && len(res.Rows) == maxRows {
			res.More = true
			if !count {
				return errStop
			}
			return errSkip
		}
		res.Rows = append(res.Rows, row)
		return nil
	}, &res.Total)
	if err != nil {
		return nil, err
	}
	if res.More && !count {
		res.Total = 0
	}
	return res, nil
}

// errStop and errSkip are what a QueryEach row function returns to end the scan early
// or to have the following rows counted without being converted.
var (
	errStop = errors.New("stop")
	errSkip = errors.New("skip")
)

// QueryEach runs query on db and hands the columns to head, then each row to row, as
// the rows arrive, so that no more than one row is held: what exporting a large table
// needs. (On a Sandbox the driver holds a page of rows, and DuckDB the rest within its
// memory cap; see queryPaged.) Errors are as Query's; an error from head or row ends the scan and is returned.
// If total is not nil it receives the number of rows read.
func QueryEach(ctx context.Context, db Queryer, query string, head func(columns, types []string) error,
	row func([]Value) error, total *int64) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return queryError(query, err)
	}
	defer rows.Close()
	types, err := rows.ColumnTypes()
	if err != nil {
		return queryError(query, err)
	}
	columns, dbTypes := make([]string, len(types)), make([]string, len(types))
	for i, t := range types {
		columns[i] = t.Name()
		dbTypes[i] = t.DatabaseTypeName()
	}
	if err := head(columns, dbTypes); err != nil {
		return err
	}
	raw := make([]any, len(types))
	ptrs := make([]any, len(types))
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var n int64
	skipping := false
	for rows.Next() {
		n++
		if skipping {
			continue
		}
		if err := rows.Scan(ptrs...); err != nil {
			return queryError(query, err)
		}
		vals := make([]Value, len(raw))
		for i, v := range raw {
			vals[i] = ToValue(v, dbTypes[i])
		}
		switch err := row(vals); {
		case err == errStop:
			n--
			if total != nil {
				*total = n
			}
			return nil
		case err == errSkip:
			skipping = true
		case err != nil:
			return err
		}
	}
	if total != nil {
		*total = n
	}
	if err := rows.Err(); err != nil {
		return queryError(query, err)
	}
	return nil
}

var readOnlyRefusal = regexp.MustCompile(`Cannot execute statement of type "([^"]+)" on database "[^"]*" which is attached in read-only mode`)

// queryError turns DuckDB's refusals (a write to the read-only warehouse, a locked
// setting, a path outside those allowed) into a *RefusedError naming what to do
// instead, and shows where in query any other error is, when DuckDB did not (see
// WithCaret).
func queryError(query string, err error) error {
	if re := sandboxError(err, ""); re != err {
		return re
	}
	return WithCaret(query, transform.WithMemoryHint(err, true))
}

// ToValue converts a value scanned from the DuckDB driver into a Value; dbType is the
// column's DatabaseTypeName, which tells TIMESTAMPTZ from TIMESTAMP and a UUID from a BLOB.
// TIMESTAMPTZ prints in Asia/Shanghai as 2006-01-02 15:04:05 (JSON adds the offset).
func ToValue(v any, dbType string) Value {
	switch x := v.(type) {
	case nil:
		return Value{Kind: KindNull}
	case string:
		if dbType == "JSON" {
			return Value{Text: x, Kind: KindJSON}
		}
		return Value{Text: x, Kind: KindText}
	case bool:
		return Value{Text: strconv.FormatBool(x), Kind: KindBool}
	case int8, int16, int32, int64, int, uint8, uint16, uint32, uint64, uint:
		return Value{Text: fmt.Sprint(x), Kind: KindNumber}
	case float32:
		return floatValue(float64(x), 32)
	case float64:
		return floatValue(x, 64)
	case *big.Int:
		return Value{Text: x.String(), Kind: KindNumber}
	case duckdb.Decimal:
		return Value{Text: decimalText(x), Kind: KindNumber}
	case time.Time:
		return timeValue(x, dbType)
	case duckdb.Interval:
		return Value{Text: intervalText(x), Kind: KindText}
	case []byte:
		if dbType == "UUID" && len(x) == 16 {
			h := hex.EncodeToString(x)
			return Value{Text: h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], Kind: KindText}
		}
		return Value{Text: blobText(x), Kind: KindText}
	default:
		b, err := json.Marshal(jsonable(x))
		if err != nil {
			return Value{Text: fmt.Sprint(x), Kind: KindText}
		}
		return Value{Text: string(b), Kind: KindJSON}
	}
}

func floatValue(f float64, bits int) Value {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return Value{Text: strconv.FormatFloat(f, 'g', -1, bits), Kind: KindText}
	}
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		return Value{Text: strconv.FormatFloat(f, 'g', -1, bits), Kind: KindNumber}
	}
	return Value{Text: strconv.FormatFloat(f, 'f', -1, bits), Kind: KindNumber}
}

// decimalText keeps every digit of the scale (1.50, not 1.5): money reads better so.
func decimalText(d duckdb.Decimal) string {
	if d.Value == nil {
		return "0"
	}
	digits := new(big.Int).Abs(d.Value).String()
	sign := ""
	if d.Value.Sign() < 0 {
		sign = "-"
	}
	scale := int(d.Scale)
	if scale == 0 {
		return sign + digits
	}
	if len(digits) <= scale {
		digits = strings.Repeat("0", scale-len(digits)+1) + digits
	}
	return sign + digits[:len(digits)-scale] + "." + digits[len(digits)-scale:]
}

func timeValue(t time.Time, dbType string) Value {
	switch dbType {
	case "DATE":
		return Value{Text: t.Format("2006-01-02"), Kind: KindText}
	case "TIME":
		return Value{Text: t.Format("15:04:05.999999"), Kind: KindText}
	case "TIMETZ":
		return Value{Text: t.Format("15:04:05.999999-07:00"), Kind: KindText}
	case "TIMESTAMPTZ":
		local := t.In(shanghai)
		return Value{Text: local.Format("2006-01-02 15:04:05.999999"), Kind: KindText,
			json: strconv.Quote(local.Format(time.RFC3339Nano))}
	default: // TIMESTAMP and its _S, _MS, _NS variants: naive, shown as stored
		return Value{Text: t.Format("2006-01-02 15:04:05.999999999"), Kind: KindText}
	}
}

// intervalText writes an interval as DuckDB does: 1 year 2 months 3 days 04:05:06.
func intervalText(iv duckdb.Interval) string {
	var parts []string
	plural := func(n int64, unit string) {
		if n == 0 {
			return
		}
		if n == 1 || n == -1 {
			parts = append(parts, fmt.Sprintf("%d %s", n, unit))
		} else {
			parts = append(parts, fmt.Sprintf("%d %ss", n, unit))
		}
	}
	plural(int64(iv.Months/12), "year")
	plural(int64(iv.Months%12), "month")
	plural(int64(iv.Days), "day")
	if iv.Micros != 0 || len(parts) == 0 {
		d := time.Duration(iv.Micros) * time.Microsecond
		sign := ""
		if d < 0 {
			sign, d = "-", -d
		}
		h, m, s := int64(d/time.Hour), int64(d%time.Hour/time.Minute), d%time.Minute
		clock := fmt.Sprintf("%s%02d:%02d:%02d", sign, h, m, int64(s/time.Second))
		if frac := int64(s % time.Second / time.Microsecond); frac != 0 {
			clock += strings.TrimRight(fmt.Sprintf(".%06d", frac), "0")
		}
		parts = append(parts, clock)
	}
	return strings.Join(parts, " ")
}

// blobText shows a blob as text when it is printable UTF-8 (quarantined JSON usually is),
// and otherwise as hex in PostgreSQL's \x form.
func blobText(b []byte) string {
	if utf8.Valid(b) {
		printable := true
		for _, r := range string(b) {
			if !unicode.IsPrint(r) && r != '\n' && r != '\t' && r != '\r' {
				printable = false
				break
			}
		}
		if printable {
			return string(b)
		}
	}
	return `\x` + hex.EncodeToString(b)
}

// jsonable rewrites nested driver values into what encoding/json writes faithfully.
func jsonable(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonable(e)
		}
		return out
	case duckdb.OrderedMap:
		out := make([]map[string]any, 0, x.Len())
		for i, k := range x.Keys() {
			out = append(out, map[string]any{"key": jsonable(k), "value": jsonable(x.Values()[i])})
		}
		return out
	case duckdb.Union:
		return map[string]any{x.Tag: jsonable(x.Value)}
	case duckdb.Decimal:
		return json.Number(decimalText(x))
	case *big.Int:
		return json.Number(x.String())
	case []byte:
		return blobText(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case duckdb.Interval:
		return intervalText(x)
	case float32:
		return jsonFloat(float64(x))
	case float64:
		return jsonFloat(x)
	default:
		return v
	}
}

func jsonFloat(f float64) any {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	return f
}
