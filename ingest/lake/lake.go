package lake

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/hongbao/hongbao/internal/datadir"
)

// Lake is the Parquet lake under DIR/lake. It keeps no state about partitions in
// memory: everything it knows it reads from the files, so that several ingester
// processes can share one lake, each writing its own partitions.
type Lake struct {
	// LockWait is how long a commit waits for a partition's lock while another
	// writer holds it (for example the previous owner after a rebalance) before it
	// fails with ErrLocked. Open sets it to 30 seconds.
	LockWait time.Duration

	data       datadir.Dir
	root       string // DIR/lake
	mem        memory.Allocator
	props      *parquet.WriterProperties
	arrowProps pqarrow.ArrowWriterProperties
}

// rowGroupRows bounds a row group, so that a large commit still splits into pieces
// that readers such as DuckDB scan in parallel.
const rowGroupRows = 1 << 20

// Open opens the lake under dir (DIR; the lake is DIR/lake), creating its folders,
// and settles what a crash left half done (see Settle).
func Open(dir string) (*Lake, error) {
	data := datadir.Dir(dir)
	root := data.Lake()
	for _, t := range append(Tables[:len(Tables):len(Tables)], commitsFolder) {
		if err := mkdirDurable(filepath.Join(root, t)); err != nil {
			return nil, err
		}
	}
	mem := memory.DefaultAllocator
	l := &Lake{
		LockWait: 30 * time.Second,
		data:     data,
		root:     root,
		mem:      mem,
		props: parquet.NewWriterProperties(
			parquet.WithAllocator(mem),
			parquet.WithCompression(compress.Codecs.Zstd),
			// Level 1 costs a fifth less CPU than the default (3) on grabs and the
			// files come out no bigger (BenchmarkCommit).
			parquet.WithCompressionLevel(1),
			parquet.WithMaxRowGroupLength(rowGroupRows),
			// Unique columns gain nothing from a dictionary and pay for building it:
			// about a tenth of the CPU and a seventh of the size (BenchmarkCommit).
			parquet.WithDictionaryFor("event_id", false),
			parquet.WithDictionaryFor("ts", false),
			parquet.WithDictionaryFor("kafka_offset", false),
			// Nor do the ids of users and envelopes, nearly unique within a file: zstd
			// packs them smaller plain (a lake 12 % smaller at scale 0.05) and the
			// ingester spends about 10 % less CPU (docs/BENCHMARKS.md).
			parquet.WithDictionaryFor("user_id", false),
			parquet.WithDictionaryFor("envelope_id", false),
			parquet.WithDictionaryFor("sender_id", false),
			// Nor does a quarantined message's bytes, up to 64 KiB each and all different:
			// the dictionary copied each into a table it kept regrowing, and was 29 % of the
			// ingester's CPU on a flood of 60 KB messages (docs/BENCHMARKS.md).
			parquet.WithDictionaryFor("raw", false),
			parquet.WithStatsFor("raw", false),
			// Nor do ids gain from min/max statistics: random within a file, they prune
			// nothing, and comparing every value for them costs the writer (BenchmarkCommit).
			parquet.WithStatsFor("event_id", false),
			parquet.WithStatsFor("user_id", false),
			parquet.WithStatsFor("envelope_id", false),
			parquet.WithStatsFor("sender_id", false),
			// Delta encodings for the columns that climb or share prefixes within a file:
			// times and offsets as differences, event and envelope ids as the prefix they
			// share with the id before them (s1jy-1b, s1jy-1e, ...). BenchmarkCommit on
			// simulator-shaped grabs: a quarter to a third more events per CPU-second and
			// files 35 % smaller; the lake of scale 0.05 26 % smaller. DuckDB, Arrow C++
			// and Spark 3.3+ read them (docs/BENCHMARKS.md).
			parquet.WithEncodingFor("ts", parquet.Encodings.DeltaBinaryPacked),
			parquet.WithEncodingFor("kafka_offset", parquet.Encodings.DeltaBinaryPacked),
			parquet.WithEncodingFor("event_id", parquet.Encodings.DeltaByteArray),
			parquet.WithEncodingFor("envelope_id", parquet.Encodings.DeltaByteArray),
			// Users' ids come in no order (u3102407, u3407762, ...) and share no prefix
			// worth keeping: their lengths delta-packed and the bytes one after the other
			// (DELTA_LENGTH_BYTE_ARRAY). DuckDB reads them in half the time, which the
			// refresh's three passes over the grabs' user_id feel; the lake grows 3 % and
			// the writer's CPU does not move (docs/BENCHMARKS.md).
			parquet.WithEncodingFor("user_id", parquet.Encodings.DeltaLengthByteArray),
			parquet.WithEncodingFor("sender_id", parquet.Encodings.DeltaLengthByteArray),
			parquet.WithCreatedBy("hongbao"),
		),
		arrowProps: pqarrow.NewArrowWriterProperties(pqarrow.WithAllocator(mem), pqarrow.WithStoreSchema()),
	}
	if err := l.settle(); err != nil {
		return nil, err
	}
	return l, nil
}

// Root is the lake's folder, DIR/lake.
func (l *Lake) Root() string { return l.root }

// NextOffset is the offset to resume a partition at: one past the last offset of its
// last commit. ok is false when the partition has no commit yet, and also when its
// markers cannot be listed; ResumeOffset tells the two apart.
func (l *Lake) NextOffset(topic string, partition int) (next int64, ok bool) {
	next, ok, err := l.ResumeOffset(topic, partition)
	if err != nil {
		return 0, false
	}
	return next, ok
}

// ResumeOffset is NextOffset with the error that NextOffset hides: the ingester should
// refuse to start a partition whose markers cannot be read rather than fall back to the
// broker's offset.
func (l *Lake) ResumeOffset(topic string, partition int) (next int64, ok bool, err error) {
	if err := CheckTopic(topic); err != nil {
		return 0, false, err
	}
	entries, err := listDir(l.partitionDir(topic, partition), "commits")
	if err != nil {
		return 0, false, err
	}
	for _, e := range entries {
		if _, last, isMarker := parseMarkerName(e.Name()); isMarker && (!ok || last+1 > next) {
			next, ok = last+1, true
		}
	}
	return next, ok, nil
}

// Commits reads every commit marker of the lake, ordered by topic, partition and
// offset.
func (l *Lake) Commits() ([]Commit, error) {
	base := filepath.Join(l.root, commitsFolder)
	topics, err := os.ReadDir(base)
	if err != nil {
		return nil, fmt.Errorf("lake: list commits: %w", err)
	}
	var all []Commit
	for _, t := range topics {
		if !t.IsDir() || CheckTopic(t.Name()) != nil {
			continue
		}
		parts, err := os.ReadDir(filepath.Join(base, t.Name()))
		if err != nil {
			return nil, fmt.Errorf("lake: list commits: %w", err)
		}
		for _, p := range parts {
			partition, ok := parsePartitionFolder(p.Name())
			if !p.IsDir() || !ok {
				continue
			}
			cs, err := l.markers(t.Name(), partition)
			if err != nil {
				return nil, err
			}
			all = append(all, cs...)
		}
	}
	slices.SortFunc(all, func(a, b Commit) int {
		return cmp.Or(strings.Compare(a.Topic, b.Topic), cmp.Compare(a.Partition, b.Partition), cmp.Compare(a.FirstOffset, b.FirstOffset))
	})
	return all, nil
}

// markers reads one partition's commit markers, in offset order.
func (l *Lake) markers(topic string, partition int) ([]Commit, error) {
	dir := l.partitionDir(topic, partition)
	entries, err := listDir(dir, "commits")
	if err != nil {
		return nil, err
	}
	var cs []Commit
	for _, e := range entries { // ReadDir sorts by name, and names sort by offset
		first, last, ok := parseMarkerName(e.Name())
		if !ok {
			continue
		}
		c, err := readMarker(filepath.Join(dir, e.Name()), topic, partition, first, last)
		if err != nil {
			return nil, err
		}
		cs = append(cs, c)
	}
	return cs, nil
}

// decodeMarker reads the JSON of a commit or replay marker into c; a marker that
// cannot be read or decoded is a MarkerError.
func decodeMarker(path string, c any) error {
	data, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(data, c)
	}
	if err != nil {
		return &MarkerError{Path: path, Err: err}
	}
	return nil
}

// readMarker reads a marker and checks it against where it was found.
func readMarker(path, topic string, partition int, first, last int64) (Commit, error) {
	var c Commit
	if err := decodeMarker(path, &c); err != nil {
		return c, err
	}
	if c.Topic != topic || c.Partition != partition || c.FirstOffset != first || c.LastOffset != last {
		return c, &MarkerError{Path: path, Err: fmt.Errorf("it records %s partition %d offsets %d-%d",
			c.Topic, c.Partition, c.FirstOffset, c.LastOffset)}
	}
	for _, f := range c.Files {
		if tableOf(f.Table) < 0 || f.File == "" || strings.ContainsAny(f.File, `/\`) {
			return c, &MarkerError{Path: path, Err: fmt.Errorf("it lists a bad file %q in table %q", f.File, f.Table)}
		}
	}
	return c, nil
}

// PartitionEnd is where the lake's commits of one partition end.
type PartitionEnd struct {
	Partition int
	// Next is the offset to resume at: one past the last offset committed.
	Next int64
	// TopicID is the topic identity the newest commit recorded; empty when that
	// commit was written by a build that did not record it.
	TopicID string
}

// Ends lists, in partition order, where the commits of each partition of topic end.
// Partitions without a commit are left out.
func (l *Lake) Ends(topic string) ([]PartitionEnd, error) {
	if err := CheckTopic(topic); err != nil {
		return nil, err
	}
	base := filepath.Join(l.root, commitsFolder, topic)
	parts, err := listDir(base, "commits")
	if err != nil {
		return nil, err
	}
	var ends []PartitionEnd
	for _, p := range parts {
		partition, ok := parsePartitionFolder(p.Name())
		if !p.IsDir() || !ok {
			continue
		}
		dir := l.partitionDir(topic, partition)
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, fmt.Errorf("lake: list commits: %w", err)
		}
		var last string
		var first, next int64
		for _, e := range entries {
			if f, l, isMarker := parseMarkerName(e.Name()); isMarker && (last == "" || l+1 > next) {
				last, first, next = e.Name(), f, l+1
			}
		}
		if last == "" {
			continue
		}
		c, err := readMarker(filepath.Join(dir, last), topic, partition, first, next-1)
		if err != nil {
			return nil, err
		}
		ends = append(ends, PartitionEnd{Partition: partition, Next: next, TopicID: c.TopicID})
	}
	slices.SortFunc(ends, func(a, b PartitionEnd) int { return cmp.Compare(a.Partition, b.Partition) })
	return ends, nil
}

// LockFile takes an exclusive lock on path (created if missing), waiting up to wait
// for another holder, in this process or another, to let go. It returns release, or
// ErrLocked when the lock stayed taken. The kernel drops the lock if the process dies.
func LockFile(path string, wait time.Duration) (release func(), err error) {
	f, got, err := lockFile(path, wait)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !got {
		return nil, fmt.Errorf("%w: %s, after %v", ErrLocked, path, wait)
	}
	return func() { unlockFile(f) }, nil
}
