package lake

import (
	"slices"
	"strings"

	"github.com/hongbao/hongbao/internal/datadir"

	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// CommittedFile is one data file of the lake that a commit marker (or a replay marker)
// lists, with what the marker says of it.
type CommittedFile struct {
	// CommitFile is the marker's entry: table, file name, rows, sum of the money column.
	CommitFile
	// Path is the file, DIR/lake/<table>/<file>.
	Path string
	// Marker is the marker that lists it.
	Marker string
	// Bytes is the file's size.
	Bytes int64
}

// ErrMissingFile means a commit marker lists a data file that is not in the lake.
var ErrMissingFile = errors.New("lake: a committed file is missing")

// Committed lists the committed data files of the lake of data folder dir, by table:
// every file that a commit marker or a replay marker lists, sorted by name within its
// table. This is what a reader of the lake should read: a file no marker lists is not
// part of the lake. A data folder without a lake has no files.
//
// It reads the markers and changes nothing, so it runs beside writers. A file whose
// marker is durable but which still has its temporary name (a commit being made, or one
// a crash interrupted, which the next Open completes) is left out, as is a file an
// eviction is moving out of its table; a listed file in neither state is an error
// wrapping ErrMissingFile.
func Committed(dir string) (map[string][]CommittedFile, error) {
	data := datadir.Dir(dir)
	l := &Lake{data: data, root: data.Lake()}
	if _, err := os.Stat(filepath.Join(l.root, commitsFolder)); errors.Is(err, fs.ErrNotExist) {
		return map[string][]CommittedFile{}, nil
	}
	commits, err := l.Commits()
	if err != nil {
		return nil, err
	}
	replays, err := l.ReplayCommits()
	if err != nil {
		return nil, err
	}
	out := map[string][]CommittedFile{}
	add := func(marker string, files []CommitFile) error {
		for _, f := range files {
			cf, ok, err := l.committedFile(marker, f)
			if err != nil {
				return err
			}
			if ok {
				out[f.Table] = append(out[f.Table], cf)
			}
		}
		return nil
	}
	for i := range commits {
		c := &commits[i]
		marker := filepath.Join(l.partitionDir(c.Topic, c.Partition), markerName(c.FirstOffset, c.LastOffset))
		if err := add(marker, c.Files); err != nil {
			return nil, err
		}
	}
	for i := range replays {
		if err := add(filepath.Join(l.root, ReplayFolder, replayMarkerName(replays[i].Seq)), replays[i].Files); err != nil {
			return nil, err
		}
	}
	for _, files := range out {
		slices.SortFunc(files, func(a, b CommittedFile) int { return strings.Compare(a.File, b.File) })
	}
	return out, nil
}

// committedFile finds a file a marker lists; ok is false for a file not in place yet
// or being evicted.
func (l *Lake) committedFile(marker string, f CommitFile) (cf CommittedFile, ok bool, err error) {
	dir := l.tableDir(f.Table)
	path := filepath.Join(dir, f.File)
	// The last look is for a file renamed into place since the first.
	for _, p := range []string{path, filepath.Join(dir, tmpName(f.File)), filepath.Join(l.root, EvictedFolder, f.Table, f.File), path} {
		info, err := os.Stat(p)
		switch {
		case err == nil && p == path:
			return CommittedFile{CommitFile: f, Path: path, Marker: marker, Bytes: info.Size()}, true, nil
		case err == nil:
			return cf, false, nil
		case !errors.Is(err, fs.ErrNotExist):
			return cf, false, fmt.Errorf("lake: %w", err)
		}
	}
	return cf, false, fmt.Errorf("%w: %s is not there, but the commit marker %s lists it", ErrMissingFile, path, marker)
}
