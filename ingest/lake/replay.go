package lake

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/hongbao/hongbao/ingest/events"
)

// ReplaysTable is the lake folder (and warehouse table) of the replay log: one row per
// quarantined message that a replay landed in its event table.
const ReplaysTable = "quarantine_replays"

// replayPrefix starts the name of every file a replay commit writes.
const replayPrefix = "replay-"

// replaysContract is the replay log's contract.
var replaysContract, _ = TableContract(ReplaysTable)

// replaysSchema is the replay log's columns, as the contract gives them.
var replaysSchema = replaysContract.schema

// ReplaysSchema returns the Arrow schema of the replay log.
func ReplaysSchema() *arrow.Schema { return replaysSchema }

// ReplayCommit is what a replay marker, DIR/lake/_replay/<SEQ>.json, records: the
// quarantined messages of one partition that one replay commit landed, and its files.
// The messages keep their offsets, which lie inside the ingester's commits of the
// partition (they are where the messages were read), so a replay marker never moves the
// partition's resume offset and does not sit among the partition's commit markers.
type ReplayCommit struct {
	// Format is the version of the marker layout (1).
	Format int `json:"format"`
	// Seq numbers the replay commits of the lake from 1, in the order they were made.
	Seq int64 `json:"seq"`
	// Topic and Partition name the Kafka partition the messages were read from.
	Topic     string `json:"topic"`
	Partition int    `json:"partition"`
	// Messages is how many messages the commit landed; FirstOffset and LastOffset are
	// the lowest and highest of their offsets (the offsets between are not all replayed).
	Messages    int64 `json:"messages"`
	FirstOffset int64 `json:"first_offset"`
	LastOffset  int64 `json:"last_offset"`
	// CommittedAt is when the marker was written.
	CommittedAt time.Time `json:"committed_at"`
	// Files lists the commit's files: one per event table that received rows, named
	// replay-<SEQ>-<topic>-p<PPP>.parquet, and the replay log file of the same name in
	// ReplaysTable.
	Files []CommitFile `json:"files"`
}

func replayDataName(seq int64, topic string, partition int) string {
	return fmt.Sprintf("%s%020d-%s-p%03d%s", replayPrefix, seq, topic, partition, parquetExt)
}

func replayMarkerName(seq int64) string { return fmt.Sprintf("%020d%s", seq, markerExt) }

// parseReplaySeq reads SEQ from a replay data file's final name. It accepts only the
// whole form replay-<SEQ>-<topic>-p<PPP>.parquet, which no ingester file can take (those
// end in a 20-digit offset), so that recovery never touches an ingester's file.
func parseReplaySeq(name string) (int64, bool) {
	rest, ok := strings.CutPrefix(name, replayPrefix)
	if !ok || len(rest) < 21 || rest[20] != '-' {
		return 0, false
	}
	seq, err := strconv.ParseInt(rest[:20], 10, 64)
	base, ok := strings.CutSuffix(rest[21:], parquetExt)
	i := strings.LastIndex(base, "-")
	if err != nil || seq <= 0 || !ok || i <= 0 || CheckTopic(base[:i]) != nil {
		return 0, false
	}
	_, ok = parsePartitionFolder(base[i+1:])
	return seq, ok
}

// replayTables are the folders a replay commit writes to.
func replayTables() []string {
	return append(append([]string(nil), Tables[:tQuarantine]...), ReplaysTable)
}

// ReplayBatch collects the messages of one partition that a replay lands, until Commit.
type ReplayBatch struct {
	m         *Maintenance
	w         *PartitionWriter // builds the event rows, as the ingester does
	log       tableBuf
	n         int64
	first     int64
	last      int64
	at        time.Time
	committed bool
}

// NewReplayBatch returns an empty batch for the quarantined messages of one partition.
func (m *Maintenance) NewReplayBatch(topic string, partition int) *ReplayBatch {
	return &ReplayBatch{m: m, w: m.l.NewPartitionWriter(topic, partition),
		log: newTableBuf(m.l.mem, replaysContract), at: time.Now().UTC()}
}

// Append adds a quarantined message that now passes, read at offset and quarantined for
// reason. Offsets must increase from call to call.
func (b *ReplayBatch) Append(offset int64, e *events.Event, reason events.Reason) {
	b.w.Append(offset, e)
	t := &b.log
	appendStr(t.str[0], b.w.topic)
	t.i32[1].Append(int32(b.w.partition))
	t.i64[2].Append(offset)
	appendStr(t.str[3], string(reason))
	appendStr(t.str[4], e.Type.Table())
	appendStr(t.str[5], e.EventID)
	t.ts[6].Append(arrow.Timestamp(b.at.UnixMicro()))
	t.note(b.at.UnixMicro())
	if b.n == 0 {
		b.first = offset
	}
	b.last = offset
	b.n++
}

// Len is the number of messages appended.
func (b *ReplayBatch) Len() int64 { return b.n }

// Release frees the batch's builders; rows not committed are dropped.
func (b *ReplayBatch) Release() {
	if b.w != nil {
		b.w.Release()
		b.w = nil
	}
	if b.log.rb != nil {
		b.log.rb.Release()
		b.log.rb = nil
	}
}

// Commit lands the batch in the lake, once: the files are written under temporary
// names and synced, then the marker _replay/<SEQ>.json is made durable (from then on
// the commit exists, and a crash is rolled forward by the next session), then the files
// are renamed into place. It returns nil, nil for an empty batch. The batch cannot be
// committed twice.
func (b *ReplayBatch) Commit() (*ReplayCommit, error) {
	if b.n == 0 {
		return nil, nil
	}
	if b.committed || b.w == nil {
		return nil, errors.New("lake: replay batch committed twice")
	}
	b.committed = true
	m, l := b.m, b.m.l
	if m.locks == nil {
		return nil, errors.New("lake: replay batch committed after its session closed")
	}
	sealed := b.w.Seal()
	defer sealed.Release()
	logRec := b.log.take()
	defer logRec.Release()

	seq := m.nextSeq
	name := replayDataName(seq, b.w.topic, b.w.partition)
	c := &ReplayCommit{Format: markerFormat, Seq: seq, Topic: b.w.topic, Partition: b.w.partition,
		Messages: b.n, FirstOffset: b.first, LastOffset: b.last}
	recs := make([]arrow.RecordBatch, 0, len(sealed.recs)+1)
	for i, s := range sealed.recs {
		f := sealed.c.Files[i]
		f.File = name
		c.Files = append(c.Files, f)
		recs = append(recs, s.rec)
	}
	c.Files = append(c.Files, CommitFile{Table: ReplaysTable, File: name, Rows: b.n,
		MinTS: b.at, MaxTS: b.at})
	recs = append(recs, logRec)

	kv := [][2]string{
		{"hongbao.topic", c.Topic},
		{"hongbao.partition", strconv.Itoa(c.Partition)},
		{"hongbao.replay_seq", strconv.FormatInt(seq, 10)},
	}
	unstage := func() {
		for _, f := range c.Files {
			os.Remove(filepath.Join(l.tableDir(f.Table), tmpName(f.File)))
		}
	}
	for i, f := range c.Files {
		dir := l.tableDir(f.Table)
		if err := mkdirDurable(dir); err != nil {
			unstage()
			return nil, err
		}
		crc, err := l.writeParquet(filepath.Join(dir, tmpName(f.File)), recs[i], kv)
		if err != nil {
			unstage()
			return nil, err
		}
		c.Files[i].CRC32C = crc
		if err := syncDir(dir); err != nil {
			unstage()
			return nil, err
		}
	}
	if m.stopAfter == stepStaged {
		return nil, errStopped
	}
	c.CommittedAt = time.Now().UTC()
	if err := writeJSONDurable(filepath.Join(l.root, ReplayFolder), replayMarkerName(seq), c); err != nil {
		if errors.Is(err, errMarkerInDoubt) {
			m.nextSeq++ // the marker may survive with its staged files: never reuse its SEQ
		} else {
			unstage()
		}
		return nil, err
	}
	m.nextSeq++
	if m.stopAfter == stepMarked {
		return nil, errStopped
	}
	for _, f := range c.Files {
		dir := l.tableDir(f.Table)
		if err := renameInto(dir, tmpName(f.File), f.File); err != nil {
			return nil, fmt.Errorf("%w (replay commit %d is durable and the next replay will complete it)", err, seq)
		}
		if err := syncDir(dir); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// ReplayCommits reads every replay marker of the lake, in commit order. The ingester
// restoring its state (envelopes and their claims, recent event ids) must read the
// files they list as well as those of its own commit markers: they hold events of its
// partitions that it did not write.
func (l *Lake) ReplayCommits() ([]ReplayCommit, error) {
	dir := filepath.Join(l.root, ReplayFolder)
	entries, err := listDir(dir, "replay markers")
	if err != nil {
		return nil, err
	}
	var cs []ReplayCommit
	for _, e := range entries { // names sort by SEQ
		name := e.Name()
		base, ok := strings.CutSuffix(name, markerExt)
		if !ok || strings.HasPrefix(name, ".") {
			continue
		}
		seq, err := strconv.ParseInt(base, 10, 64)
		if err != nil {
			continue
		}
		c, err := readReplayMarker(filepath.Join(dir, name), seq)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, nil
}

func readReplayMarker(path string, seq int64) (ReplayCommit, error) {
	var c ReplayCommit
	if err := decodeMarker(path, &c); err != nil {
		return c, err
	}
	if c.Seq != seq {
		return c, &MarkerError{Path: path, Err: fmt.Errorf("it records replay commit %d", c.Seq)}
	}
	want := replayDataName(seq, c.Topic, c.Partition)
	for _, f := range c.Files {
		if f.File != want || (f.Table != ReplaysTable && tableIndexOf(f.Table) >= tQuarantine) {
			return c, &MarkerError{Path: path, Err: fmt.Errorf("it lists a bad file %q in table %q", f.File, f.Table)}
		}
	}
	return c, nil
}

// tableIndexOf is the index of a lake table in Tables, or numTables.
func tableIndexOf(table string) int {
	for i, t := range Tables {
		if t == table {
			return i
		}
	}
	return numTables
}

// recoverReplays settles the replay commits a crash interrupted, under the session's
// lock: a staged file whose marker is durable is renamed into place, any other is
// deleted, as is a marker never renamed. It also learns the next SEQ.
func (m *Maintenance) recoverReplays() error {
	l := m.l
	dir := filepath.Join(l.root, ReplayFolder)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("lake: list replay markers: %w", err)
	}
	marked := map[int64]bool{}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") && strings.HasSuffix(name, markerExt+tmpExt) {
			if err := removeFile(filepath.Join(dir, name)); err != nil {
				return err
			}
			continue
		}
		if base, ok := strings.CutSuffix(name, markerExt); ok {
			if seq, err := strconv.ParseInt(base, 10, 64); err == nil {
				marked[seq] = true
				m.nextSeq = max(m.nextSeq, seq)
			}
		}
	}
	m.nextSeq++
	// A marker found here may be one whose folder sync failed: make it durable before
	// anything is renamed on its word.
	if len(marked) > 0 {
		if err := syncDir(dir); err != nil {
			return err
		}
	}
	for _, table := range replayTables() {
		tdir := l.tableDir(table)
		files, err := listDir(tdir, table)
		if err != nil {
			return err
		}
		touched := false
		for _, e := range files {
			final, ok := hiddenTmp(e.Name(), replayPrefix, parquetExt)
			if !ok {
				continue
			}
			seq, ok := parseReplaySeq(final)
			if !ok {
				continue // not a name a replay gives
			}
			if marked[seq] {
				err = renameInto(tdir, e.Name(), final)
			} else if err = os.Remove(filepath.Join(tdir, e.Name())); errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
			if err != nil {
				return fmt.Errorf("lake: recover replay file %s: %w", e.Name(), err)
			}
			touched = true
		}
		if touched {
			if err := syncDir(tdir); err != nil {
				return err
			}
		}
	}
	return nil
}

// File returns the replay commit's file of a table, and whether it has one.
func (c *ReplayCommit) File(table string) (CommitFile, bool) { return fileOf(c.Files, table) }

// replayFiles lists the files the replay commits landed on one partition.
func (l *Lake) replayFiles(topic string, partition int) ([]CommitFile, error) {
	replays, err := l.ReplayCommits()
	if err != nil {
		return nil, err
	}
	var files []CommitFile
	for _, rc := range replays {
		if rc.Topic == topic && rc.Partition == partition {
			files = append(files, rc.Files...)
		}
	}
	return files, nil
}
