package lake

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

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
		if checkTopic(key.topic) != nil {
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
