package lake

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/hongbao/hongbao/ingest/events"
)

// ReasonUnreadableFile is the quarantine reason of a valid row moved out of a lake file
// that readers cannot read (for example one an older build wrote with invalid UTF-8 in
// another row). Nothing is wrong with the message itself: a replay lands it again.
const ReasonUnreadableFile events.Reason = "unreadable_file"

// evictedInfix marks the quarantine file that holds an evicted file's rows.
const evictedInfix = "-evicted-"

// Eviction is the record of one data file moved out of its table, written as
// DIR/lake/_evicted/<table>/<file>.json before anything moves: once it is durable the
// eviction happens, and a crash is rolled forward by the next maintenance session.
type Eviction struct {
	// Format is the version of the record layout (1).
	Format int `json:"format"`
	// Table and File name the data file evicted; it now sits, unchanged, at
	// DIR/lake/_evicted/<Table>/<File>.
	Table string `json:"table"`
	File  string `json:"file"`
	// Topic, Partition and Marker name the commit that listed the file; the marker was
	// rewritten to list QuarantineFile in its place.
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	Marker    string `json:"marker"`
	// QuarantineFile is the file of the quarantine table that holds the rows, one
	// quarantine row per row of File.
	QuarantineFile CommitFile `json:"quarantine_file"`
	// Reasons counts the rows by quarantine reason: invalid_utf8 for a row with a string
	// that is not UTF-8, unreadable_file for the others.
	Reasons map[events.Reason]int64 `json:"reasons"`
	// EvictedAt is when the record was written.
	EvictedAt time.Time `json:"evicted_at"`
}

// ErrNotListed is returned by Evict for a file no commit marker lists.
var ErrNotListed = errors.New("lake: no commit marker lists the file")

// Evict moves one data file of an event table out of the lake's readers' way: each of
// its rows becomes a quarantine row (raw = the row re-encoded as its event's JSON, the
// strings' bytes kept as they were; reason invalid_utf8 for a row holding a string that
// is not UTF-8, ReasonUnreadableFile for the others, which a replay lands again), the
// file moves to DIR/lake/_evicted/<table>/, and the commit marker that listed it lists
// the quarantine file instead. Every step is durable before the next, and the record
// written first lets a crash be rolled forward. Evicting a file already evicted returns
// its record.
func (m *Maintenance) Evict(table, file string) (*Eviction, error) {
	l := m.l
	ti := tableIndexOf(table)
	if ti >= tQuarantine {
		return nil, fmt.Errorf("lake: %s is not an event table; only files of %s can be evicted",
			table, strings.Join(Tables[:tQuarantine], ", "))
	}
	recDir := evictedDir(l.root, table)
	if ev, err := readEviction(filepath.Join(recDir, file+markerExt)); err == nil {
		return ev, m.finishEviction(ev)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	topic, partition, first, last, ok := parseDataName(file)
	if !ok || CheckTopic(topic) != nil {
		return nil, fmt.Errorf("%w: %s/%s is not named as the ingester names its files", ErrNotListed, table, file)
	}
	mname := markerName(first, last)
	c, err := readMarker(filepath.Join(l.partitionDir(topic, partition), mname), topic, partition, first, last)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s/%s (no marker %s)", ErrNotListed, table, file, mname)
	}
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(c.Files, func(f CommitFile) bool { return f.Table == table && f.File == file }) {
		return nil, fmt.Errorf("%w: %s/%s (marker %s does not list it)", ErrNotListed, table, file, mname)
	}

	// The rows, as quarantine rows, in a file under a temporary name.
	w := l.NewPartitionWriter(topic, partition)
	defer w.Release()
	ev := &Eviction{Format: markerFormat, Table: table, File: file, Topic: topic, Partition: partition,
		Marker: mname, Reasons: map[events.Reason]int64{}}
	src := filepath.Join(l.tableDir(table), file)
	now := time.Now().UTC()
	schema := schemas[ti]
	names := make([]string, schema.NumFields())
	for i, f := range schema.Fields() {
		names[i] = f.Name
	}
	typ := events.Types[ti]
	var bad []string
	err = l.scan(src, schema, names, func(cols []arrow.Array) {
		offsets := cols[len(cols)-1].(*array.Int64)
		for r := 0; r < offsets.Len(); r++ {
			raw, key, invalid := encodeRow(typ, schema, cols, r, bad[:0])
			bad = invalid
			q := QuarantineRecord{Offset: offsets.Value(r), Key: key, Raw: raw, IngestedAt: now,
				Reason: ReasonUnreadableFile,
				Detail: fmt.Sprintf("landed by an older build in lake file %s/%s, which readers cannot read; 'hongbao quarantine replay' lands it again", table, file)}
			if len(invalid) > 0 {
				q.Reason = events.ReasonInvalidUTF8
				q.Detail = fmt.Sprintf("field %s is not valid UTF-8 (moved out of lake file %s/%s, which readers cannot read)",
					strings.Join(invalid, ", "), table, file)
			}
			ev.Reasons[q.Reason]++
			w.Quarantine(q)
		}
	})
	if err != nil {
		return nil, fmt.Errorf("lake: evict %s/%s: the file cannot be read here either (%w); move it out of the lake by hand and run 'hongbao transform'",
			table, file, err)
	}
	sealed := w.Seal()
	if sealed == nil {
		return nil, fmt.Errorf("lake: evict %s/%s: the file holds no rows", table, file)
	}
	defer sealed.Release()
	qf := sealed.c.Files[0]
	qf.File = strings.TrimSuffix(dataName(topic, partition, first, last), parquetExt) + evictedInfix + table + parquetExt
	ev.QuarantineFile = qf
	qdir := l.tableDir(QuarantineTable)
	kv := [][2]string{
		{"hongbao.topic", topic},
		{"hongbao.partition", strconv.Itoa(partition)},
		{"hongbao.first_offset", strconv.FormatInt(first, 10)},
		{"hongbao.last_offset", strconv.FormatInt(last, 10)},
		{"hongbao.evicted_from", table + "/" + file},
	}
	tmp := filepath.Join(qdir, tmpName(qf.File))
	if ev.QuarantineFile.CRC32C, err = l.writeParquet(tmp, sealed.recs[0].rec, kv); err != nil {
		return nil, err
	}
	if err := syncDir(qdir); err != nil {
		os.Remove(tmp)
		return nil, err
	}

	// The record makes the eviction durable; the rest is rolled forward from it.
	if err := mkdirDurable(recDir); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	ev.EvictedAt = time.Now().UTC()
	if err := writeJSONDurable(recDir, file+markerExt, ev); err != nil {
		if !errors.Is(err, errMarkerInDoubt) {
			os.Remove(tmp) // the record may survive: the next start finishes from tmp
		}
		return nil, err
	}
	if m.stopAfter == stepMarked {
		return nil, errStopped
	}
	return ev, m.finishEviction(ev)
}

// finishEviction does what a durable eviction record says, each step only if not yet
// done: the file leaves its table (first, so its rows are never readable twice), the
// quarantine file takes its name, and the marker lists the quarantine file instead.
func (m *Maintenance) finishEviction(ev *Eviction) error {
	l := m.l
	tdir := l.tableDir(ev.Table)
	edir := evictedDir(l.root, ev.Table)
	if _, err := os.Stat(filepath.Join(tdir, ev.File)); err == nil {
		if err := os.Rename(filepath.Join(tdir, ev.File), filepath.Join(edir, ev.File)); err != nil {
			return fmt.Errorf("lake: evict %s/%s: %w", ev.Table, ev.File, err)
		}
		if err := syncDir(edir); err != nil {
			return err
		}
		if err := syncDir(tdir); err != nil {
			return err
		}
	}
	qdir := l.tableDir(QuarantineTable)
	if err := renameInto(qdir, tmpName(ev.QuarantineFile.File), ev.QuarantineFile.File); err != nil {
		return fmt.Errorf("lake: evict %s/%s: %w", ev.Table, ev.File, err)
	}
	if err := syncDir(qdir); err != nil {
		return err
	}

	pdir := l.partitionDir(ev.Topic, ev.Partition)
	first, last, _ := parseMarkerName(ev.Marker)
	c, err := readMarker(filepath.Join(pdir, ev.Marker), ev.Topic, ev.Partition, first, last)
	if err != nil {
		return fmt.Errorf("lake: evict %s/%s: %w", ev.Table, ev.File, err)
	}
	listed := func(table, file string) bool {
		return slices.ContainsFunc(c.Files, func(f CommitFile) bool { return f.Table == table && f.File == file })
	}
	if !listed(ev.Table, ev.File) && listed(QuarantineTable, ev.QuarantineFile.File) {
		return nil
	}
	c.Files = slices.DeleteFunc(c.Files, func(f CommitFile) bool { return f.Table == ev.Table && f.File == ev.File })
	if !listed(QuarantineTable, ev.QuarantineFile.File) {
		c.Files = append(c.Files, ev.QuarantineFile)
	}
	return writeJSONDurable(pdir, ev.Marker, c)
}

// isEvictedName reports whether name is <data name>-evicted-<event table>.parquet, the
// name of an evicted file's rows in the quarantine. No ingester file ends so (theirs end
// in a 20-digit offset), so recovery never touches one.
func isEvictedName(name string) bool {
	for _, table := range Tables[:tQuarantine] {
		if base, ok := strings.CutSuffix(name, evictedInfix+table+parquetExt); ok {
			_, _, _, _, ok = parseDataName(base + parquetExt)
			return ok
		}
	}
	return false
}

func readEviction(path string) (*Eviction, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ev Eviction
	if err := json.Unmarshal(data, &ev); err != nil {
		return nil, fmt.Errorf("lake: eviction record %s: %w", path, err)
	}
	if tableIndexOf(ev.Table) >= tQuarantine || ev.File == "" || strings.ContainsAny(ev.File, `/\`) ||
		!isEvictedName(ev.QuarantineFile.File) {
		return nil, fmt.Errorf("lake: eviction record %s names a bad file", path)
	}
	return &ev, nil
}

// Evictions reads every eviction record of the lake.
func (l *Lake) Evictions() ([]Eviction, error) {
	var out []Eviction
	for _, table := range Tables[:tQuarantine] {
		dir := evictedDir(l.root, table)
		entries, err := listDir(dir, "evictions")
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), markerExt) {
				continue
			}
			ev, err := readEviction(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			out = append(out, *ev)
		}
	}
	return out, nil
}

// recoverEvictions rolls forward every eviction whose record is durable and deletes the
// quarantine files of evictions that never got one.
func (m *Maintenance) recoverEvictions() error {
	evs, err := m.l.Evictions()
	if err != nil {
		return err
	}
	recorded := map[string]bool{}
	for i := range evs {
		recorded[evs[i].QuarantineFile.File] = true
		if err := m.finishEviction(&evs[i]); err != nil {
			return err
		}
	}
	qdir := m.l.tableDir(QuarantineTable)
	entries, err := listDir(qdir, "quarantine")
	if err != nil {
		return err
	}
	for _, e := range entries {
		final, ok := hiddenTmp(e.Name(), "", parquetExt)
		if !ok || !isEvictedName(final) || recorded[final] {
			continue
		}
		if err := removeFile(filepath.Join(qdir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// encodeRow writes row r of an event table's columns as the event's JSON, in the field
// order of the wire format, with each string's bytes as stored: a string that is not
// UTF-8 stays so (encoding/json would replace its bytes), and its column is added to
// invalid. key is the Kafka key the producer gives such an event.
func encodeRow(typ events.Type, schema *arrow.Schema, cols []arrow.Array, r int, invalid []string) (raw, key []byte, _ []string) {
	var b []byte
	b = append(b, '{')
	field := func(name string) {
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = appendJSONString(b, name)
		b = append(b, ':')
	}
	var envelope, user []byte
	for i, f := range schema.Fields() {
		switch f.Name {
		case "kafka_partition", "kafka_offset":
			continue
		}
		col := cols[i]
		if col.IsNull(r) {
			continue
		}
		field(f.Name)
		switch a := col.(type) {
		case *array.String:
			v := a.Value(r)
			if !utf8.ValidString(v) {
				invalid = append(invalid, f.Name)
			}
			b = appendJSONString(b, v)
			switch f.Name {
			case "envelope_id":
				envelope = []byte(v)
			case "user_id":
				user = []byte(v)
			}
		case *array.Timestamp:
			b = appendJSONString(b, time.UnixMicro(int64(a.Value(r))).UTC().Format(time.RFC3339Nano))
		case *array.Int64:
			b = strconv.AppendInt(b, a.Value(r), 10)
		case *array.Int32:
			b = strconv.AppendInt(b, int64(a.Value(r)), 10)
		}
		if f.Name == "event_id" {
			field("type")
			b = appendJSONString(b, string(typ))
		}
	}
	b = append(b, '}')
	key = envelope
	if key == nil {
		key = user
	}
	return b, key, invalid
}

// appendJSONString appends s as a JSON string, escaping what JSON requires and copying
// every other byte, valid UTF-8 or not.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c == '\t':
			b = append(b, '\\', 't')
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}
