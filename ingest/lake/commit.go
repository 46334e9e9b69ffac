package lake

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// markerFormat is the version of the commit marker's JSON layout.
const markerFormat = 1

// Commit is what one commit marker records: the Kafka offsets a commit covers and
// the lake files that hold them.
type Commit struct {
	// Format is the version of the marker layout (1).
	Format int `json:"format"`
	// Topic and Partition name the Kafka partition the offsets belong to.
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	// FirstOffset and LastOffset bound the offsets read, both included; the next
	// offset to read is LastOffset+1.
	FirstOffset int64 `json:"first_offset"`
	LastOffset  int64 `json:"last_offset"`
	// CommittedAt is when the marker was written.
	CommittedAt time.Time `json:"committed_at"`
	// Files lists one file per table that received rows, in the order of Tables.
	Files []CommitFile `json:"files"`
}

// CommitFile describes one Parquet file of a commit.
type CommitFile struct {
	// Table is the lake folder the file sits in.
	Table string `json:"table"`
	// File is the file's name in that folder.
	File string `json:"file"`
	// Rows is the number of rows in the file.
	Rows int64 `json:"rows"`
	// SumFen is the sum of the table's money column (total_fen of envelopes,
	// amount_fen of grabs, withdrawals and payments); zero for other tables.
	SumFen int64 `json:"sum_fen,omitempty"`
	// MinTS and MaxTS bound the rows' ts (ingested_at for the quarantine), in UTC.
	MinTS time.Time `json:"min_ts"`
	MaxTS time.Time `json:"max_ts"`
}

// Rows is the number of rows of the commit in all tables.
func (c *Commit) Rows() int64 {
	var n int64
	for _, f := range c.Files {
		n += f.Rows
	}
	return n
}

// File returns the commit's file of a table, and whether the commit has one.
func (c *Commit) File(table string) (CommitFile, bool) {
	for _, f := range c.Files {
		if f.Table == table {
			return f, true
		}
	}
	return CommitFile{}, false
}

// commitStep names a point in Commit where a test can make it stop, as a crash would.
type commitStep int

const (
	stepNone   commitStep = iota
	stepStaged            // the files are written under their temporary names
	stepMarked            // the marker is durable, the files are not yet renamed
)

var errStopped = errors.New("lake: commit stopped by a test")

// staged is one table's record on its way to a file.
type staged struct {
	table int
	rec   arrow.RecordBatch
}

// Commit makes every row appended since the last commit durable in the lake, with
// the marker that records their offsets, and returns what the marker says. It returns
// nil, nil when nothing is pending. Whatever the outcome, the writer is empty
// afterwards: after an error the caller must seek the partition to NextOffset and read
// again, as the rows may or may not be in the lake (ErrOverlap: they already are).
func (w *PartitionWriter) Commit() (*Commit, error) {
	if w.pending == 0 {
		return nil, nil
	}
	// Take the rows out of the builders first, so that the builders are empty and
	// reusable whatever happens next.
	var recs []staged
	for i := range w.tables {
		t := &w.tables[i]
		if t.rows > 0 {
			recs = append(recs, staged{table: i, rec: t.rb.NewRecordBatch()})
		}
	}
	defer func() {
		for _, s := range recs {
			s.rec.Release()
		}
	}()
	c := w.describe(recs)
	w.reset()

	if err := w.own(); err != nil {
		return nil, err
	}
	if w.next >= 0 && c.FirstOffset < w.next {
		return nil, fmt.Errorf("%w: %s partition %d offsets %d-%d, but the lake already holds up to %d",
			ErrOverlap, c.Topic, c.Partition, c.FirstOffset, c.LastOffset, w.next-1)
	}
	if err := w.lake.stage(c, recs); err != nil {
		return nil, err
	}
	if w.stopAfter == stepStaged {
		return nil, errStopped
	}
	c.CommittedAt = time.Now().UTC()
	if err := w.lake.writeMarker(c); err != nil {
		w.lake.unstage(c)
		return nil, err
	}
	w.next = c.LastOffset + 1
	if w.stopAfter == stepMarked {
		return nil, errStopped
	}
	if err := w.lake.publish(c); err != nil {
		// The marker is durable, so the commit is: recovery renames the files.
		w.recovered = false
		return nil, fmt.Errorf("%w (the commit of offsets %d-%d is durable and will be completed by recovery)", err, c.FirstOffset, c.LastOffset)
	}
	return c, nil
}

// describe builds the marker of the pending rows.
func (w *PartitionWriter) describe(recs []staged) *Commit {
	c := &Commit{Format: markerFormat, Topic: w.topic, Partition: w.partition,
		FirstOffset: w.first, LastOffset: w.last}
	name := dataName(w.topic, w.partition, w.first, w.last)
	for _, s := range recs {
		t := &w.tables[s.table]
		c.Files = append(c.Files, CommitFile{Table: Tables[s.table], File: name, Rows: t.rows, SumFen: t.sum,
			MinTS: time.UnixMicro(t.minTS).UTC(), MaxTS: time.UnixMicro(t.maxTS).UTC()})
	}
	return c
}

// reset forgets the pending rows' counters; the builders were emptied by NewRecordBatch.
func (w *PartitionWriter) reset() {
	for i := range w.tables {
		t := &w.tables[i]
		t.rows, t.sum, t.minTS, t.maxTS = 0, 0, 0, 0
	}
	w.pending, w.first, w.last = 0, 0, 0
}

// own makes sure the writer holds the partition's lock and that the partition was
// recovered under it, and learns where the partition's commits end. With the lock held
// no other writer commits to the partition, so w.next stays true until Release.
func (w *PartitionWriter) own() error {
	if w.recovered {
		return nil
	}
	if err := checkTopic(w.topic); err != nil {
		return err
	}
	if w.lock == nil {
		dir := w.lake.partitionDir(w.topic, w.partition)
		if err := mkdirDurable(dir); err != nil {
			return err
		}
		f, _, err := lockFile(filepath.Join(dir, lockName), true)
		if err != nil {
			return fmt.Errorf("lake: lock %s partition %d: %w", w.topic, w.partition, err)
		}
		w.lock = f
	}
	tmps, err := w.lake.tmpFiles()
	if err != nil {
		return err
	}
	key := partKey{w.topic, w.partition}
	if err := w.lake.recoverLocked(key, tmps[key]); err != nil {
		return err
	}
	next, ok, err := w.lake.ResumeOffset(w.topic, w.partition)
	if err != nil {
		return err
	}
	w.next = -1
	if ok {
		w.next = next
	}
	w.recovered = true
	return nil
}

// stage writes each record to its table's file under the temporary name, synced, and
// syncs the folders so the names survive a crash as well. The files are written in
// parallel: each is independent, and the syncs overlap.
func (l *Lake) stage(c *Commit, recs []staged) error {
	kv := [][2]string{
		{"hongbao.topic", c.Topic},
		{"hongbao.partition", strconv.Itoa(c.Partition)},
		{"hongbao.first_offset", strconv.FormatInt(c.FirstOffset, 10)},
		{"hongbao.last_offset", strconv.FormatInt(c.LastOffset, 10)},
	}
	errs := make([]error, len(recs))
	var wg sync.WaitGroup
	for i, s := range recs {
		wg.Go(func() {
			dir := l.tableDir(Tables[s.table])
			path := filepath.Join(dir, tmpName(c.Files[i].File))
			if errs[i] = l.writeParquet(path, s.rec, kv); errs[i] == nil {
				errs[i] = syncDir(dir)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		l.unstage(c)
		return err
	}
	return nil
}

// unstage removes a failed commit's temporary files, as far as it can; what it
// cannot remove, recovery will.
func (l *Lake) unstage(c *Commit) {
	for _, f := range c.Files {
		os.Remove(filepath.Join(l.tableDir(f.Table), tmpName(f.File)))
	}
}

var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 1<<20) }}

// writeParquet writes rec as one zstd Parquet file at path and syncs it.
func (l *Lake) writeParquet(path string, rec arrow.RecordBatch, kv [][2]string) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("lake: create %s: %w", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("lake: close %s: %w", path, cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	bw := bufPool.Get().(*bufio.Writer)
	bw.Reset(f)
	defer func() {
		bw.Reset(nil)
		bufPool.Put(bw)
	}()
	fw, err := pqarrow.NewFileWriter(rec.Schema(), bw, l.props, l.arrowProps)
	if err != nil {
		return fmt.Errorf("lake: write %s: %w", path, err)
	}
	for _, p := range kv {
		if err := fw.AppendKeyValueMetadata(p[0], p[1]); err != nil {
			return fmt.Errorf("lake: write %s: %w", path, err)
		}
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return fmt.Errorf("lake: write %s: %w", path, err)
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("lake: write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("lake: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("lake: sync %s: %w", path, err)
	}
	return nil
}

// writeMarker makes c's marker durable: written under a temporary name, synced,
// renamed, and the folder synced. From then on the commit exists.
func (l *Lake) writeMarker(c *Commit) error {
	dir := l.partitionDir(c.Topic, c.Partition)
	name := markerName(c.FirstOffset, c.LastOffset)
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("lake: encode marker %s: %w", name, err)
	}
	tmp := filepath.Join(dir, tmpName(name))
	if err := writeFileSync(tmp, append(data, '\n')); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("lake: %w", err)
	}
	return syncDir(dir)
}

// publish renames c's files into place, where readers find them, and syncs the folders.
func (l *Lake) publish(c *Commit) error {
	errs := make([]error, len(c.Files))
	var wg sync.WaitGroup
	for i, f := range c.Files {
		wg.Go(func() {
			dir := l.tableDir(f.Table)
			if errs[i] = renameInto(dir, tmpName(f.File), f.File); errs[i] == nil {
				errs[i] = syncDir(dir)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// renameInto renames tmp to name inside dir. It tolerates a tmp that is already gone
// when name exists: recovery in another process got there first.
func renameInto(dir, tmp, name string) error {
	err := os.Rename(filepath.Join(dir, tmp), filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(filepath.Join(dir, name)); serr == nil {
			return nil
		}
	}
	if err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	return nil
}

func writeFileSync(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("lake: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("lake: write %s: %w", path, err)
	}
	return nil
}

// syncDir makes the entries of a folder (files created, renamed, removed) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("lake: sync folder: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("lake: sync folder %s: %w", dir, err)
	}
	return nil
}

// mkdirDurable creates dir and any missing parents, syncing the parent of each folder
// it creates so the new entries survive a crash.
func mkdirDurable(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	parent := filepath.Dir(dir)
	if parent != dir {
		if err := mkdirDurable(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("lake: %w", err)
	}
	return syncDir(parent)
}
