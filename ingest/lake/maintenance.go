package lake

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Folders of the lake's maintenance work, under DIR/lake (see replay.go and evict.go):
//
//	_replay/.lock                                  held by a maintenance session
//	_replay/<SEQ>.json                             marker of replay commit SEQ
//	<table>/replay-<SEQ>-<topic>-p<PPP>.parquet    events landed by replay commit SEQ
//	quarantine_replays/replay-<SEQ>-<topic>-p<PPP>.parquet   the messages it replayed
//	_evicted/<table>/<file>                        a data file moved out of its table
//	_evicted/<table>/<file>.json                   the record of that eviction
//	quarantine/<topic>-p<PPP>-<FIRST>-<LAST>-evicted-<table>.parquet   its rows, quarantined
//
// The leading underscore keeps _replay and _evicted out of the warehouse's table list,
// and none of these names parses as an ingester's data file, so the ingester's recovery
// leaves them to the maintenance session's own.
const (
	ReplayFolder  = "_replay"
	EvictedFolder = "_evicted"
)

// ErrBusy is returned by BeginMaintenance while another maintenance session (a replay
// or an eviction) runs on the lake.
var ErrBusy = errors.New("lake: another replay or eviction is running on this lake")

// Maintenance is an exclusive session on the lake for the work that lands or moves rows
// outside the ingester's commits: replaying quarantined messages and evicting files. It
// holds the maintenance lock and the lock of every partition that has commits, so no
// ingester commits while it decides what to land, and it has finished or undone any
// replay commit or eviction that a crash interrupted. Close releases it.
type Maintenance struct {
	l       *Lake
	locks   []*os.File
	nextSeq int64

	stopAfter commitStep // set by tests only
}

// BeginMaintenance starts a maintenance session. It fails with ErrBusy while another
// session runs, and with ErrLocked (naming the partition) while an ingester holds a
// partition: stop it, or let 'ingest --until-idle' finish, and try again.
func (l *Lake) BeginMaintenance() (*Maintenance, error) {
	dir := filepath.Join(l.root, ReplayFolder)
	if err := mkdirDurable(dir); err != nil {
		return nil, err
	}
	m := &Maintenance{l: l}
	f, got, err := lockFile(filepath.Join(dir, lockName), 0)
	if err != nil {
		return nil, fmt.Errorf("lake: lock %s: %w", dir, err)
	}
	if !got {
		return nil, ErrBusy
	}
	m.locks = append(m.locks, f)
	if err := m.lockPartitions(); err != nil {
		m.Close()
		return nil, err
	}
	if err := m.recover(); err != nil {
		m.Close()
		return nil, err
	}
	return m, nil
}

// recover settles the replay commits and evictions an earlier session left half done.
func (m *Maintenance) recover() error {
	if err := m.recoverReplays(); err != nil {
		return err
	}
	return m.recoverEvictions()
}

// Close releases the session's locks.
func (m *Maintenance) Close() {
	for _, f := range m.locks {
		unlockFile(f)
	}
	m.locks = nil
}

// lockPartitions takes the lock of every partition folder under _commits, without
// waiting: an ingester holds its partitions for as long as it runs.
func (m *Maintenance) lockPartitions() error {
	base := filepath.Join(m.l.root, commitsFolder)
	topics, err := listDir(base, "commits")
	if err != nil {
		return err
	}
	for _, t := range topics {
		if !t.IsDir() || CheckTopic(t.Name()) != nil {
			continue
		}
		parts, err := os.ReadDir(filepath.Join(base, t.Name()))
		if err != nil {
			return fmt.Errorf("lake: list commits: %w", err)
		}
		for _, p := range parts {
			partition, ok := parsePartitionFolder(p.Name())
			if !p.IsDir() || !ok {
				continue
			}
			f, got, err := lockFile(filepath.Join(m.l.partitionDir(t.Name(), partition), lockName), 0)
			if err != nil {
				return fmt.Errorf("lake: lock %s partition %d: %w", t.Name(), partition, err)
			}
			if !got {
				return fmt.Errorf("%w: an ingester is writing %s partition %d; stop it (or let 'ingest --until-idle' finish) and run the command again",
					ErrLocked, t.Name(), partition)
			}
			m.locks = append(m.locks, f)
		}
	}
	return nil
}

// hiddenTmp reports whether name is a file still being written by a maintenance step
// (".<prefix>...<suffix>.tmp"), and returns its final name.
func hiddenTmp(name, prefix, suffix string) (final string, ok bool) {
	if !strings.HasPrefix(name, "."+prefix) || !strings.HasSuffix(name, suffix+tmpExt) {
		return "", false
	}
	return strings.TrimSuffix(name[1:], tmpExt), true
}

// writeJSONDurable writes v as indented JSON to dir/name through a synced temporary
// file and a rename, then syncs dir: readers see the old content or the new, whole. A
// failure of that last sync wraps errMarkerInDoubt: the new file is in place and may
// survive a crash, so nothing it names may be undone (recovery settles it).
func writeJSONDurable(dir, name string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("lake: encode %s: %w", name, err)
	}
	tmp := filepath.Join(dir, tmpName(name))
	if err := writeFileSync(tmp, append(data, '\n')); err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("lake: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("%w: %w", errMarkerInDoubt, err)
	}
	return nil
}
