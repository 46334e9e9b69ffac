package lake

import (
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// RecentEventIDs calls fn with the event ids the newest commits of one partition
// landed, with the offset each was read at: the commits that hold the last max ids
// (or all of them), in the order they were committed. An ingester seeds its duplicate
// window with them after a restart. Call it after PartitionWriter.Own.
func (l *Lake) RecentEventIDs(topic string, partition int, max int, fn func(id string, offset int64)) error {
	if err := checkTopic(topic); err != nil {
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
	for i := from; i < len(cs); i++ {
		for _, f := range cs[i].Files {
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
