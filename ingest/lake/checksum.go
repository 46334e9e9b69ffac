package lake

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"unicode/utf8"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// A file's checksum is the CRC-32C of its bytes, which its marker keeps
// (CommitFile.CRC32C) when the writer found every string of the file to be UTF-8.
// A file whose bytes still match its checksum is as this writer left it, and a reader
// can read every value of it: the warehouse's refresh then spares itself the read of
// every value it makes of any other new file (transform's probe). A file without a
// checksum (one holding a string that is not UTF-8, or written by a build before
// checksums) or whose bytes changed is probed, as before. With this and two smaller
// changes, the refresh of the full festival's lake fell from 54-62 s to 42-44 s
// (docs/BENCHMARKS.md).

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum is the marker's checksum of a file whose bytes crc took, given whether
// every string of it is UTF-8: "" when not.
func checksum(crc hash.Hash32, utf8OK bool) string {
	if !utf8OK {
		return ""
	}
	return formatCRC(crc.Sum32())
}

func formatCRC(crc uint32) string { return fmt.Sprintf("%08x", crc) }

// allUTF8 reports whether every value of rec's string columns is UTF-8: DuckDB refuses
// a file holding one that is not. The ingester rejects such messages before they get
// here; this is the writer's own look, for what reaches it by other ways.
func allUTF8(rec arrow.RecordBatch) bool {
	for _, col := range rec.Columns() {
		s, ok := col.(*array.String)
		if !ok || ascii(s.ValueBytes()) {
			continue // not strings, or every byte ASCII: one pass over the column's data
		}
		for i := range s.Len() {
			if !utf8.ValidString(s.Value(i)) {
				return false
			}
		}
	}
	return true
}

// ascii reports whether every byte of b is below 0x80.
func ascii(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Unchanged reports whether the file's bytes still match the checksum its marker keeps
// (CommitFile.CRC32C): false for a file without a checksum, one that differs, and one
// that cannot be read. buf is room to read the file in (nil allocates it).
func (f CommittedFile) Unchanged(buf []byte) bool {
	if f.CRC32C == "" {
		return false
	}
	r, err := os.Open(f.Path)
	if err != nil {
		return false
	}
	defer r.Close()
	if buf == nil {
		buf = make([]byte, 1<<20)
	}
	crc := crc32.New(castagnoli)
	// Hidden behind a plain Reader, the file is read in buf's size, not WriteTo's.
	if _, err := io.CopyBuffer(crc, struct{ io.Reader }{r}, buf); err != nil {
		return false
	}
	return formatCRC(crc.Sum32()) == f.CRC32C
}
