package lake

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
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
	// TopicID is the broker's identity of the topic (a UUID), where the broker has
	// one: a topic deleted and created again under the same name gets a new id, and
	// its offsets start over, so the lake's offsets no longer apply to it.
	TopicID string `json:"topic_id,omitempty"`
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
	// CRC32C is the file's checksum: the CRC-32C of its bytes in 8 hex digits, kept
	// when every string of the file is UTF-8 (see CommittedFile.Unchanged). Empty for
	// a file holding a string that is not, and in markers of builds before checksums.
	CRC32C string `json:"crc32c,omitempty"`
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
func (c *Commit) File(table string) (CommitFile, bool) { return fileOf(c.Files, table) }

// fileOf finds the file of a table among a commit's files.
func fileOf(files []CommitFile, table string) (CommitFile, bool) {
	for _, f := range files {
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

// Batch is the rows of one commit, sealed off a PartitionWriter so that they can be
// written on another goroutine while the writer goes on appending. The batches of a
// writer must be committed one at a time, in the order they were sealed: a marker must
// never cover offsets after rows not yet durable.
type Batch struct {
	w          *PartitionWriter
	seq        uint64
	c          *Commit
	recs       []staged
	disordered bool // an offset did not follow the one before
}

// Seal takes the rows appended since the last seal out of the writer, as a Batch to
// commit, and leaves the writer empty with its builders ready for more. It returns nil
// when nothing is pending.
func (w *PartitionWriter) Seal() *Batch {
	if w.pending == 0 {
		return nil
	}
	b := &Batch{w: w, seq: w.sealed, disordered: w.disordered}
	w.sealed++
	for i := range w.tables {
		if t := &w.tables[i]; t.rows > 0 {
			b.recs = append(b.recs, staged{table: i, rec: t.take()})
		}
	}
	b.c = w.describe(b.recs)
	w.reset()
	return b
}

// Offsets returns the first and last Kafka offset of the batch.
func (b *Batch) Offsets() (first, last int64) { return b.c.FirstOffset, b.c.LastOffset }

// Release frees the batch's records. Commit releases them too; Release is for a batch
// that will not be committed. It is safe on nil and after Commit.
func (b *Batch) Release() {
	if b == nil {
		return
	}
	for _, s := range b.recs {
		s.rec.Release()
	}
	b.recs = nil
}

// Commit makes the appended rows durable in the lake, with the marker that records
// their offsets, and returns what the marker says. It returns nil, nil when nothing is
// pending. It is Seal followed by Batch.Commit.
func (w *PartitionWriter) Commit() (*Commit, error) {
	b := w.Seal()
	defer b.Release()
	return b.Commit()
}

// Commit writes the batch's files and marker durably (see the package's commit
// protocol) and returns what the marker says; on nil it returns nil, nil. After an
// error the rows may or may not be in the lake (ErrOverlap: they already are), and
// every later commit of the writer fails with ErrAborted: the caller must release the
// writer and resume the partition at NextOffset.
func (b *Batch) Commit() (*Commit, error) {
	if b == nil {
		return nil, nil
	}
	defer b.Release()
	if b.recs == nil {
		return nil, errors.New("lake: batch committed twice")
	}
	p := b.w.part
	if p.err != nil {
		return nil, fmt.Errorf("%w: %w", ErrAborted, p.err)
	}
	if b.seq != p.nextSeq {
		p.err = fmt.Errorf("batch %d committed while batch %d is due", b.seq, p.nextSeq)
		return nil, fmt.Errorf("%w: %w", ErrAborted, p.err)
	}
	c, err := b.commit()
	if err != nil {
		p.err = err
		return nil, err
	}
	p.nextSeq++
	return c, nil
}

func (b *Batch) commit() (*Commit, error) {
	w, l, p, c := b.w, b.w.lake, b.w.part, b.c
	if err := w.own(); err != nil {
		return nil, err
	}
	if c.FirstOffset < 0 || c.LastOffset < c.FirstOffset || b.disordered {
		return nil, fmt.Errorf("lake: %s partition %d: offsets %d-%d were not appended in increasing order",
			c.Topic, c.Partition, c.FirstOffset, c.LastOffset)
	}
	if p.next >= 0 && c.FirstOffset < p.next {
		return nil, fmt.Errorf("%w: %s partition %d offsets %d-%d, but the lake already holds up to %d",
			ErrOverlap, c.Topic, c.Partition, c.FirstOffset, c.LastOffset, p.next-1)
	}
	if err := l.stage(c, b.recs); err != nil {
		return nil, err
	}
	if w.stopAfter == stepStaged {
		return nil, errStopped
	}
	c.CommittedAt = time.Now().UTC()
	if err := l.writeMarker(c); err != nil {
		// Once the marker has its name the commit may be durable, and its files must
		// stay for recovery to roll it forward; only a marker that never got its name
		// lets them go.
		if !errors.Is(err, errMarkerInDoubt) {
			l.unstage(c)
		}
		return nil, err
	}
	p.next = c.LastOffset + 1
	if w.stopAfter == stepMarked {
		return nil, errStopped
	}
	if err := l.publish(c); err != nil {
		// The marker is durable, so the commit is: recovery renames the files.
		return nil, fmt.Errorf("%w (the commit of offsets %d-%d is durable and recovery will complete it)",
			err, c.FirstOffset, c.LastOffset)
	}
	return c, nil
}

// describe builds the marker of the pending rows.
func (w *PartitionWriter) describe(recs []staged) *Commit {
	c := &Commit{Format: markerFormat, Topic: w.topic, Partition: w.partition, TopicID: w.topicID,
		FirstOffset: w.first, LastOffset: w.last}
	name := dataName(w.topic, w.partition, w.first, w.last)
	for _, s := range recs {
		t := &w.tables[s.table]
		c.Files = append(c.Files, CommitFile{Table: Tables[s.table], File: name, Rows: t.rows, SumFen: t.sum,
			MinTS: time.UnixMicro(t.minTS).UTC(), MaxTS: time.UnixMicro(t.maxTS).UTC()})
	}
	return c
}

// reset forgets the pending rows' counters; the builders were emptied by take.
func (w *PartitionWriter) reset() {
	for i := range w.tables {
		t := &w.tables[i]
		t.rows, t.sum, t.minTS, t.maxTS = 0, 0, 0, 0
	}
	w.pending, w.first, w.last, w.disordered = 0, 0, 0, false
}

// Own takes the partition's lock (waiting up to Lake.LockWait for another writer,
// in this process or another, to let go), settles any commit a crash interrupted,
// and returns the offset to resume at, as ResumeOffset does. Read anything else
// the lake holds about the partition (RestoreTracker, the recent event ids) after
// Own: before it, a previous owner may still be committing. Commit calls Own itself.
func (w *PartitionWriter) Own() (next int64, ok bool, err error) {
	if err := w.own(); err != nil {
		return 0, false, err
	}
	return w.part.next, w.part.next >= 0, nil
}

// own makes sure the writer holds the partition's lock and that the partition was
// recovered under it, and learns where the partition's commits end. With the lock held
// no other writer commits to the partition, so part.next stays true until Release.
func (w *PartitionWriter) own() error {
	p := w.part
	if p.recovered {
		return nil
	}
	if err := CheckTopic(w.topic); err != nil {
		return err
	}
	if p.lock == nil {
		dir := w.lake.partitionDir(w.topic, w.partition)
		if err := mkdirDurable(dir); err != nil {
			return err
		}
		f, got, err := lockFile(filepath.Join(dir, lockName), w.lake.LockWait)
		if err != nil {
			return fmt.Errorf("lake: lock %s partition %d: %w", w.topic, w.partition, err)
		}
		if !got {
			return fmt.Errorf("%w: %s partition %d, after %v", ErrLocked, w.topic, w.partition, w.lake.LockWait)
		}
		p.lock = f
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
	p.next = -1
	if ok {
		p.next = next
	}
	p.recovered = true
	return nil
}
