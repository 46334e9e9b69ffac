package lake

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/hongbao/hongbao/internal/datadir"
)

// Names of the lake's folders and files, under DIR/lake (datadir.Dir.Lake):
//
//	<table>/<topic>-p<PPP>-<FIRST>-<LAST>.parquet      data, one file per table and commit
//	<table>/.<topic>-p<PPP>-<FIRST>-<LAST>.parquet.tmp the same before its commit is done
//	_commits/<topic>/p<PPP>/<FIRST>-<LAST>.json         commit marker
//	_commits/<topic>/p<PPP>/.lock                       held by the partition's writer
//
// FIRST and LAST are Kafka offsets, zero-padded to 20 digits so that names sort by offset.
const (
	commitsFolder = "_commits"
	parquetExt    = ".parquet"
	markerExt     = ".json"
	tmpExt        = ".tmp"
	lockName      = ".lock"
)

func dataName(topic string, partition int, first, last int64) string {
	return fmt.Sprintf("%s-p%03d-%020d-%020d%s", topic, partition, first, last, parquetExt)
}

func markerName(first, last int64) string {
	return fmt.Sprintf("%020d-%020d%s", first, last, markerExt)
}

// tmpName is the name a file has until its commit is done; the leading dot and the
// suffix keep it out of the glob <table>/*.parquet.
func tmpName(name string) string { return "." + name + tmpExt }

func partitionFolder(partition int) string { return fmt.Sprintf("p%03d", partition) }

// parsePartitionFolder reads the partition of a folder named by partitionFolder.
func parsePartitionFolder(name string) (int, bool) {
	if len(name) < 2 || name[0] != 'p' {
		return 0, false
	}
	p, err := strconv.Atoi(name[1:])
	return p, err == nil && p >= 0
}

// parseMarkerName reads FIRST and LAST from a marker's name.
func parseMarkerName(name string) (first, last int64, ok bool) {
	base, found := strings.CutSuffix(name, markerExt)
	if !found {
		return 0, 0, false
	}
	a, b, found := strings.Cut(base, "-")
	if !found {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	return first, last, err1 == nil && err2 == nil && first <= last
}

// parseDataName reads topic, partition and offsets from a data file's name.
func parseDataName(name string) (topic string, partition int, first, last int64, ok bool) {
	base, found := strings.CutSuffix(name, parquetExt)
	if !found {
		return "", 0, 0, 0, false
	}
	parts := strings.Split(base, "-")
	n := len(parts)
	if n < 4 {
		return "", 0, 0, 0, false
	}
	p, ok := parsePartitionFolder(parts[n-3])
	first, err1 := strconv.ParseInt(parts[n-2], 10, 64)
	last, err2 := strconv.ParseInt(parts[n-1], 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return "", 0, 0, 0, false
	}
	return strings.Join(parts[:n-3], "-"), p, first, last, true
}

// parseTmpDataName reads topic, partition and offsets from the temporary name of a
// data file. The topic may itself hold dashes, so the name is read from its end.
func parseTmpDataName(name string) (topic string, partition int, first, last int64, ok bool) {
	base, found := strings.CutSuffix(name, tmpExt)
	if !found || !strings.HasPrefix(base, ".") {
		return "", 0, 0, 0, false
	}
	return parseDataName(base[1:])
}

// CheckTopic rejects a topic name that could not be a Kafka topic or would escape or
// hide in the lake's folders: Kafka allows 1 to 249 of [a-zA-Z0-9._-]; a leading dot
// is refused too, as it would make the data files hidden. The commands check --topic
// with it before they connect. TopicRule says it in words.
func CheckTopic(topic string) error {
	if topic == "" || len(topic) > 249 || topic[0] == '.' {
		return fmt.Errorf("%w: %q", ErrInvalidTopic, topic)
	}
	for i := 0; i < len(topic); i++ {
		c := topic[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return fmt.Errorf("%w: %q", ErrInvalidTopic, topic)
		}
	}
	return nil
}

// TopicRule is CheckTopic's rule, for a sentence to a person.
const TopicRule = "1 to 249 letters, digits, '.', '_' or '-', not starting with '.'"

// partitionDir is the folder of one partition's commit markers.
func (l *Lake) partitionDir(topic string, partition int) string {
	return partitionPath(l.root, topic, partition)
}

func partitionPath(root, topic string, partition int) string {
	return filepath.Join(root, commitsFolder, topic, partitionFolder(partition))
}

func (l *Lake) tableDir(table string) string { return l.data.LakeTable(table) }

// Paths in the lake of data folder dir, for the commands that name them.

// CommitsPath is the folder of the commit markers, which every opened lake has.
func CommitsPath(dir string) string { return filepath.Join(datadir.Dir(dir).Lake(), commitsFolder) }

// MarkerPath is the commit marker named marker of a partition (Eviction.Marker).
func MarkerPath(dir, topic string, partition int, marker string) string {
	return filepath.Join(partitionPath(datadir.Dir(dir).Lake(), topic, partition), marker)
}

// ReplayMarkerPath is the marker of replay commit seq.
func ReplayMarkerPath(dir string, seq int64) string {
	return filepath.Join(datadir.Dir(dir).Lake(), ReplayFolder, replayMarkerName(seq))
}

// EvictedPath is where Evict keeps a data file it moved out of table.
func EvictedPath(dir, table, file string) string {
	return filepath.Join(evictedDir(datadir.Dir(dir).Lake(), table), file)
}

// EvictionRecordPath is the record of the eviction of a data file of table (Eviction).
func EvictionRecordPath(dir, table, file string) string {
	return EvictedPath(dir, table, file) + markerExt
}

func evictedDir(root, table string) string { return filepath.Join(root, EvictedFolder, table) }
