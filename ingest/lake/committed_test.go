package lake

import (
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hongbao/hongbao/ingest/events"
)

// listed is what Committed gives for one table, as "file rows sum marker" lines.
func listed(t *testing.T, dir, table string) string {
	t.Helper()
	files, err := Committed(dir)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, f := range files[table] {
		info, err := os.Stat(f.Path)
		if err != nil || info.Size() != f.Bytes || f.Path != filepath.Join(dir, "lake", table, f.File) || f.Table != table {
			t.Errorf("%s: %+v does not describe the file on disk (%v)", table, f, err)
		}
		rel, _ := filepath.Rel(filepath.Join(dir, "lake"), f.Marker)
		lines = append(lines, strings.Join([]string{f.File, strconv.FormatInt(f.Rows, 10), strconv.FormatInt(f.SumFen, 10), filepath.ToSlash(rel)}, " "))
	}
	return strings.Join(lines, "\n")
}

func TestCommittedListsWhatTheMarkersSay(t *testing.T) {
	dir := t.TempDir()
	if files, err := Committed(dir); err != nil || len(files) != 0 {
		t.Fatalf("Committed without a lake = %v, %v", files, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "lake")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Committed created the lake: %v", err)
	}

	l := openLake(t, dir)
	c := commitBadGrabs(t, l) // partition 0, offsets 0-5
	name := dataName(topic, 0, 0, 5)
	marker := "_commits/hongbao.events/p000/" + markerName(0, 5)
	if got, want := listed(t, dir, "grabs"), name+" 4 100 "+marker; got != want {
		t.Errorf("grabs:\n got %s\nwant %s", got, want)
	}
	if got, want := listed(t, dir, "envelopes"), name+" 1 400 "+marker; got != want {
		t.Errorf("envelopes:\n got %s\nwant %s", got, want)
	}
	if got, want := listed(t, dir, QuarantineTable), name+" 1 0 "+marker; got != want {
		t.Errorf("quarantine:\n got %s\nwant %s", got, want)
	}

	// A commit whose marker is durable but whose files are not renamed yet, as a
	// running ingester's or a crashed one's: left out until it is in place.
	w := l.NewPartitionWriter(topic, 1)
	g := grab("g-late", "env", at(9), 70)
	w.Append(0, &g)
	crashCommit(t, w, stepMarked)
	if got := listed(t, dir, "grabs"); strings.Contains(got, "p001") {
		t.Errorf("a commit not in place yet is listed:\n%s", got)
	}

	// What a replay landed is listed with its replay marker.
	m := maintain(t, l)
	b := m.NewReplayBatch(topic, 0)
	r := grab("g-replayed", "env", at(3), 30)
	b.Append(5, &r, events.ReasonUnknownEnvelope)
	if _, err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Release()
	m.Close()
	replayed := replayDataName(1, topic, 0)
	if got, want := listed(t, dir, ReplaysTable), replayed+" 1 0 _replay/"+replayMarkerName(1); got != want {
		t.Errorf("quarantine_replays:\n got %s\nwant %s", got, want)
	}

	openLake(t, dir) // recovery renames the interrupted commit's file into place
	late := dataName(topic, 1, 0, 0)
	want := name + " 4 100 " + marker + "\n" + late + " 1 70 _commits/hongbao.events/p001/" + markerName(0, 0) + "\n" +
		replayed + " 1 30 _replay/" + replayMarkerName(1)
	if got := listed(t, dir, "grabs"); got != want {
		t.Errorf("grabs after recovery and a replay:\n got %s\nwant %s", got, want)
	}

	// A file an eviction is moving out is left out; once evicted, its rows are in the
	// quarantine file the marker lists instead.
	grabsFile, _ := c.File("grabs")
	src := filepath.Join(dir, "lake", "grabs", grabsFile.File)
	moving := filepath.Join(dir, "lake", EvictedFolder, "grabs", grabsFile.File)
	if err := os.MkdirAll(filepath.Dir(moving), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(src, moving); err != nil {
		t.Fatal(err)
	}
	if got := listed(t, dir, "grabs"); strings.Contains(got, name) {
		t.Errorf("a file being evicted is listed:\n%s", got)
	}
	if err := os.Rename(moving, src); err != nil {
		t.Fatal(err)
	}
	m = maintain(t, l)
	ev, err := m.Evict("grabs", grabsFile.File)
	m.Close()
	if err != nil {
		t.Fatal(err)
	}
	if got := listed(t, dir, "grabs"); strings.Contains(got, name) {
		t.Errorf("an evicted file is listed:\n%s", got)
	}
	if got, want := listed(t, dir, QuarantineTable), ev.QuarantineFile.File+" 4 0 "+marker+"\n"+name+" 1 0 "+marker; got != want {
		t.Errorf("quarantine after the eviction:\n got %s\nwant %s", got, want)
	}

	// A listed file that is gone is an error naming it and its marker.
	lost := filepath.Join(dir, "lake", "envelopes", name)
	if err := os.Remove(lost); err != nil {
		t.Fatal(err)
	}
	_, err = Committed(dir)
	if want := "lake: a committed file is missing: " + lost + " is not there, but the commit marker " +
		filepath.Join(dir, "lake", filepath.FromSlash(marker)) + " lists it"; !errors.Is(err, ErrMissingFile) || err.Error() != want {
		t.Errorf("Committed with a file gone:\n got %v\nwant %s", err, want)
	}
}

// crcOf is the CRC-32C of a file's bytes, worked out apart from the writer's.
func crcOf(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%08x", crc32.Checksum(b, crc32.MakeTable(crc32.Castagnoli)))
}

func TestCommitChecksumsFilesWhoseStringsAreUTF8(t *testing.T) {
	dir, l, w := newLakeWriter(t, 0)
	// Partition 0: strings in Chinese and ASCII, UTF-8 all. Partition 1: a user id that
	// is not UTF-8, and partition 2 two strings that are each half of one character,
	// which the column's bytes together would pass for UTF-8.
	e := sent("env", at(0), 3, 300)
	e.ChatID = "家人群"
	w.Append(0, &e)
	g := grab("g1", "env", at(1), 100)
	w.Append(1, &g)
	if _, err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	for p, users := range map[int][]string{1: {"u\xff"}, 2: {"u\xe4\xbd", "\xa0"}} {
		pw := l.NewPartitionWriter(topic, p)
		for i, u := range users {
			g := grab(fmt.Sprintf("g%d-%d", p, i), "env", at(2), 100)
			g.UserID = u
			pw.Append(int64(i), &g)
		}
		if _, err := pw.Commit(); err != nil {
			t.Fatal(err)
		}
		pw.Release()
	}
	w.Release()

	files, err := Committed(dir)
	if err != nil {
		t.Fatal(err)
	}
	summed := map[string]bool{}
	for _, table := range []string{"envelopes", "grabs"} {
		for _, f := range files[table] {
			name := table + "/" + f.File[:len(topic)+5]
			summed[name] = f.CRC32C != ""
			if f.CRC32C != "" && f.CRC32C != crcOf(t, f.Path) {
				t.Errorf("%s: the marker's checksum %s is not the file's CRC-32C %s", name, f.CRC32C, crcOf(t, f.Path))
			}
			if f.Unchanged(nil) != (f.CRC32C != "") {
				t.Errorf("%s: Unchanged = %v with checksum %q", name, f.Unchanged(nil), f.CRC32C)
			}
		}
	}
	want := map[string]bool{"envelopes/" + topic + "-p000": true, "grabs/" + topic + "-p000": true,
		"grabs/" + topic + "-p001": false, "grabs/" + topic + "-p002": false}
	if fmt.Sprint(summed) != fmt.Sprint(want) {
		t.Errorf("files with a checksum:\n got %v\nwant %v", summed, want)
	}

	// One byte changed, or one byte more: the checksum no longer matches.
	f := files["grabs"][0]
	b, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, changed := range [][]byte{append([]byte{b[0] ^ 1}, b[1:]...), append(b, 0)} {
		if err := os.WriteFile(f.Path, changed, 0o644); err != nil {
			t.Fatal(err)
		}
		if f.Unchanged(nil) {
			t.Errorf("Unchanged holds for a file of %d bytes changed from its %d", len(changed), len(b))
		}
	}
	if err := os.Remove(f.Path); err != nil {
		t.Fatal(err)
	}
	if f.Unchanged(nil) {
		t.Error("Unchanged holds for a file that is gone")
	}
}

func TestASCII(t *testing.T) {
	for s, want := range map[string]bool{"": true, "hongbao-envelope-0001": true, "u-1234567\x7f": true,
		"0123456789abcdef\x80": false, "\xff0123456789abcdef": false, "01234567紅": false} {
		if got := ascii([]byte(s)); got != want {
			t.Errorf("ascii(%q) = %v", s, got)
		}
	}
}
