package lake

import (
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// RecentEventIDs calls fn with the event ids the newest commits of one partition
// landed, with the offset each was read at: the commits that hold the last max ids
// (or all of them), in the order they were committed. An ingester seeds its duplicate
// window with them after a restart. Call it after PartitionWriter.Own.
func (l *Lake) RecentEventIDs(topic string, partition int, max int, fn func(id string, offset int64)) error {
	if err := CheckTopic(topic); err != nil {
		return err
	}
	cs, err := l.markers(topic, partition)
	if err != nil {
		return err
	}
	// Walk back to the commit where max ids are reached, then read forward, so the
	// window is seeded oldest first, as it would have filled.
	from, n := len(cs), int64(0)
	for from > 0 && n < int64(max) {
		from--
		for _, f := range cs[from].Files {
			if ti := tableOf(f.Table); ti >= 0 && ti != tQuarantine {
				n += f.Rows
			}
		}
	}
	// What 'hongbao quarantine replay' landed on the partition first: few rows, and
	// older than the newest commits.
	files, err := l.replayFiles(topic, partition)
	if err != nil {
		return err
	}
	for i := from; i < len(cs); i++ {
		files = append(files, cs[i].Files...)
	}
	for _, f := range files {
		ti := tableOf(f.Table)
		if ti < 0 || ti == tQuarantine {
			continue
		}
		err := l.scan(filepath.Join(l.tableDir(f.Table), f.File), schemas[ti], []string{"event_id", "kafka_offset"},
			func(cols []arrow.Array) {
				ids, off := cols[0].(*array.String), cols[1].(*array.Int64)
				for r := 0; r < ids.Len(); r++ {
					fn(ids.Value(r), off.Value(r))
				}
			})
		if err != nil {
			return err
		}
	}
	return nil
}

// tableOf is the index of a lake table by name, or -1.
func tableOf(name string) int {
	for i, t := range Tables {
		if t == name {
			return i
		}
	}
	return -1
}

// FindEnvelopes looks for envelope ids in the envelopes one partition's commits
// landed, and returns the offset each found id was landed at. The ingester asks it
// about envelopes sent too long ago for its tracker to remember: a second send of a
// forgotten envelope must not reset its claims. It reads one column of every
// envelopes file of the partition, so it is for the rare late envelope only.
func (l *Lake) FindEnvelopes(topic string, partition int, ids map[string]bool) (map[string]int64, error) {
	found := map[string]int64{}
	if len(ids) == 0 {
		return found, nil
	}
	if err := CheckTopic(topic); err != nil {
		return nil, err
	}
	cs, err := l.markers(topic, partition)
	if err != nil {
		return nil, err
	}
	table := Tables[tEnvelopes]
	var files []string
	for i := range cs {
		if f, ok := cs[i].File(table); ok {
			files = append(files, f.File)
		}
	}
	replayed, err := l.replayFiles(topic, partition)
	if err != nil {
		return nil, err
	}
	for _, f := range replayed {
		if f.Table == table {
			files = append(files, f.File)
		}
	}
	for _, file := range files {
		err := l.scan(filepath.Join(l.tableDir(table), file), schemas[tEnvelopes], []string{"envelope_id", "kafka_offset"},
			func(cols []arrow.Array) {
				env, off := cols[0].(*array.String), cols[1].(*array.Int64)
				for r := 0; r < env.Len(); r++ {
					if id := env.Value(r); ids[id] {
						if _, dup := found[id]; !dup {
							found[strings.Clone(id)] = off.Value(r)
						}
					}
				}
			})
		if err != nil {
			return nil, err
		}
	}
	return found, nil
}
