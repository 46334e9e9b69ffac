package lake

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/hongbao/hongbao/internal/datadir"
)

// Settle finishes or undoes what a crash interrupted in the lake of data folder dir,
// so that its readers find every file its markers list:
//   - an ingester's commit: files of a commit whose marker is durable are renamed into
//     place, files of a commit without one are deleted; partitions whose lock a live
//     writer holds are left to that writer;
//   - a replay commit or an eviction, when no maintenance session runs: they are rolled
//     forward from a durable marker or record, or undone without one.
//
// A running writer is never disturbed: its locks keep Settle off its work. A data
// folder without a lake has nothing to settle.
func Settle(dir string) error {
	data := datadir.Dir(dir)
	l := &Lake{data: data, root: data.Lake()}
	if _, err := os.Stat(filepath.Join(l.root, commitsFolder)); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return l.settle()
}

func (l *Lake) settle() error {
	if err := l.recoverAll(); err != nil {
		return fmt.Errorf("lake: recover %s: %w", l.root, err)
	}
	if err := l.settleMaintenance(); err != nil {
		return fmt.Errorf("lake: recover %s: %w", l.root, err)
	}
	return nil
}

// settleMaintenance rolls forward or back the replay commits and evictions a crash
// interrupted, unless a maintenance session holds the lake (then they are its own, in
// progress). A lake that never had a session has no maintenance folder and nothing to do.
func (l *Lake) settleMaintenance() error {
	dir := filepath.Join(l.root, ReplayFolder)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	f, got, err := lockFile(filepath.Join(dir, lockName), 0)
	if err != nil {
		return fmt.Errorf("lock %s: %w", dir, err)
	}
	if !got {
		return nil
	}
	m := &Maintenance{l: l, locks: []*os.File{f}}
	defer m.Close()
	return m.recover()
}

// partKey names one Kafka partition.
type partKey struct {
	topic     string
	partition int
}

// tmpFile is a data file still under its temporary name.
type tmpFile struct {
	table       string
	name        string // the temporary name
	first, last int64
}

// tmpFiles lists the temporary data files of every table, by partition.
func (l *Lake) tmpFiles() (map[partKey][]tmpFile, error) {
	out := make(map[partKey][]tmpFile)
	for _, table := range Tables {
		entries, err := listDir(l.tableDir(table), table)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasPrefix(name, ".") {
				continue
			}
			topic, partition, first, last, ok := parseTmpDataName(name)
			if !ok {
				continue
			}
			k := partKey{topic, partition}
			out[k] = append(out[k], tmpFile{table: table, name: name, first: first, last: last})
		}
	}
	return out, nil
}

// recoverAll finishes or undoes the interrupted commits of every partition that no
// live writer holds.
func (l *Lake) recoverAll() error {
	tmps, err := l.tmpFiles()
	if err != nil {
		return err
	}
	for key, files := range tmps {
		if CheckTopic(key.topic) != nil {
			continue // not a name this package writes
		}
		dir := l.partitionDir(key.topic, key.partition)
		if err := mkdirDurable(dir); err != nil {
			return err
		}
		lock, got, err := lockFile(filepath.Join(dir, lockName), 0)
		if err != nil {
			return fmt.Errorf("lock %s partition %d: %w", key.topic, key.partition, err)
		}
		if !got {
			continue // a live writer recovered the partition when it took the lock
		}
		err = l.recoverLocked(key, files)
		unlockFile(lock)
		if err != nil {
			return err
		}
	}
	return nil
}

// recoverLocked settles one partition's temporary files while the caller holds the
// partition's lock: a file whose commit has a marker is renamed into place (roll
// forward), any other is deleted (roll back), as is any marker never renamed.
func (l *Lake) recoverLocked(key partKey, files []tmpFile) error {
	dir := l.partitionDir(key.topic, key.partition)
	entries, err := listDir(dir, "commits")
	if err != nil {
		return err
	}
	for _, e := range entries {
		if n := e.Name(); strings.HasPrefix(n, ".") && strings.HasSuffix(n, markerExt+tmpExt) {
			if err := removeFile(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}

	// A marker found here may be one whose folder sync failed: make it durable before
	// anything is renamed on its word.
	if err := syncDir(dir); err != nil {
		return err
	}
	// The markers of the ranges the files belong to, read once each.
	listed := make(map[[2]int64]map[string]bool)
	touched := make(map[string]bool)
	for _, f := range files {
		r := [2]int64{f.first, f.last}
		tables, seen := listed[r]
		if !seen {
			tables = make(map[string]bool)
			c, err := readMarker(filepath.Join(dir, markerName(f.first, f.last)), key.topic, key.partition, f.first, f.last)
			switch {
			case err == nil:
				for _, cf := range c.Files {
					tables[cf.Table+"/"+tmpName(cf.File)] = true
				}
			case !errors.Is(err, fs.ErrNotExist):
				return err
			}
			listed[r] = tables
		}
		tdir := l.tableDir(f.table)
		if tables[f.table+"/"+f.name] {
			final := strings.TrimSuffix(f.name[1:], tmpExt)
			if err := renameInto(tdir, f.name, final); err != nil {
				return err
			}
		} else if err := removeFile(filepath.Join(tdir, f.name)); err != nil {
			return err
		}
		touched[tdir] = true
	}
	for d := range touched {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}
