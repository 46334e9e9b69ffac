package lake

import (
	"bufio"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
)

// The steps of a commit, in order: stage (data files under temporary names, synced),
// writeMarker (the commit exists from here on), publish (the files take their names).
// A crash before writeMarker ends is rolled back by recovery, one after it is rolled
// forward.

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
			if c.Files[i].CRC32C, errs[i] = l.writeParquet(path, s.rec, kv); errs[i] == nil {
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

// writeBuffers are the writers' 1 MiB buffers, kept between files (see kept).
var writeBuffers = newKept(keptEncoders, func() *bufio.Writer { return bufio.NewWriterSize(nil, 1<<20) })

// writeParquet writes rec as one zstd Parquet file at path, syncs it, and returns its
// checksum for the marker (CommitFile.CRC32C): "" when a string of rec is not UTF-8.
func (l *Lake) writeParquet(path string, rec arrow.RecordBatch, kv [][2]string) (sum string, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return "", fileError("create", path, err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fileError("close", path, cerr)
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	bw := writeBuffers.get()
	crc := crc32.New(castagnoli)
	bw.Reset(io.MultiWriter(f, crc))
	defer func() {
		bw.Reset(nil)
		writeBuffers.put(bw)
	}()
	fw, err := pqarrow.NewFileWriter(rec.Schema(), bw, l.props, l.arrowProps)
	if err != nil {
		return "", fileError("write", path, err)
	}
	for _, p := range kv {
		if err := fw.AppendKeyValueMetadata(p[0], p[1]); err != nil {
			return "", fileError("write", path, err)
		}
	}
	if err := fw.Write(rec); err != nil {
		fw.Close()
		return "", fileError("write", path, err)
	}
	if err := fw.Close(); err != nil {
		return "", fileError("write", path, err)
	}
	if err := bw.Flush(); err != nil {
		return "", fileError("write", path, err)
	}
	if err := f.Sync(); err != nil {
		return "", fileError("sync", path, err)
	}
	return checksum(crc, allUTF8(rec)), nil
}

// writeMarker makes c's marker durable: written under a temporary name, synced,
// renamed, and the folder synced. From then on the commit exists.
func (l *Lake) writeMarker(c *Commit) error {
	return writeJSONDurable(l.partitionDir(c.Topic, c.Partition), markerName(c.FirstOffset, c.LastOffset), c)
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

// listDir lists a folder of the lake in name order; a folder not made yet lists as
// empty. what names the folder in the error ("commits", a table).
func listDir(dir, what string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("lake: list %s: %w", what, err)
	}
	return entries, nil
}

// removeFile removes a file of the lake; one already gone is not an error.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("lake: %w", err)
	}
	return nil
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
		return fileError("write", path, err)
	}
	return nil
}

// syncDirFault, set by tests only, makes syncDir fail as a disk would.
var syncDirFault func(dir string) error

// syncDir makes the entries of a folder (files created, renamed, removed) durable.
func syncDir(dir string) error {
	if syncDirFault != nil {
		if err := syncDirFault(dir); err != nil {
			return err
		}
	}
	if runtime.GOOS == "windows" {
		return nil // a folder cannot be opened for syncing there; NTFS journals its entries
	}
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
// it creates so the new entries survive a crash. A folder that exists has its parent
// synced too: an earlier call may have made it and then failed to sync.
func mkdirDurable(dir string) error {
	parent := filepath.Dir(dir)
	if _, err := os.Stat(dir); err == nil {
		if parent == dir {
			return nil
		}
		return syncDir(parent)
	}
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

// fileError says that verb failed on the lake file at path, naming the path once: an
// error of the os package already names it ("write PATH: no space left on device").
func fileError(verb, path string, err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) && pe.Path == path {
		return fmt.Errorf("lake: %w", err)
	}
	return fmt.Errorf("lake: %s %s: %w", verb, path, err)
}
