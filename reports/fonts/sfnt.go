package fonts

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strings"
)

// The sfnt container is read here directly, not through x/image/font/sfnt,
// because collections such as wqy-microhei.ttc store tables at unaligned
// offsets that x/image rejects, and because the scan wants to look at a few
// header bytes without reading multi-megabyte files.

const (
	tagTTC      = "ttcf"
	versionTT   = 0x00010000
	versionTrue = "true"
	versionCFF  = "OTTO"
)

type tableRecord struct {
	tag      string
	checksum uint32
	offset   uint32
	length   uint32
}

// directory is the table directory of one face.
type directory struct {
	version uint32
	tables  []tableRecord
}

func (d directory) find(tag string) (tableRecord, bool) {
	for _, t := range d.tables {
		if t.tag == tag {
			return t, true
		}
	}
	return tableRecord{}, false
}

// hasGlyf reports whether the face has TrueType outlines.
func (d directory) hasGlyf() bool {
	_, glyf := d.find("glyf")
	_, loca := d.find("loca")
	return glyf && loca
}

func readAt(r io.ReaderAt, off int64, n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := r.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("%w: short read at %d: %v", ErrBadFont, off, err)
	}
	return b, nil
}

// faceOffset returns where the table directory of face index starts, and
// whether the data is a collection.
func faceOffset(r io.ReaderAt, index int) (int64, bool, error) {
	head, err := readAt(r, 0, 12)
	if err != nil {
		return 0, false, err
	}
	if string(head[:4]) != tagTTC {
		if index != 0 {
			return 0, false, fmt.Errorf("%w: face %d requested from a single font", ErrBadFont, index)
		}
		return 0, false, nil
	}
	n := int(binary.BigEndian.Uint32(head[8:12]))
	if index < 0 || index >= n || n > 1<<12 {
		return 0, true, fmt.Errorf("%w: collection has %d faces, face %d requested", ErrBadFont, n, index)
	}
	off, err := readAt(r, 12+4*int64(index), 4)
	if err != nil {
		return 0, true, err
	}
	return int64(binary.BigEndian.Uint32(off)), true, nil
}

func readDirectory(r io.ReaderAt, off int64) (directory, error) {
	head, err := readAt(r, off, 12)
	if err != nil {
		return directory{}, err
	}
	d := directory{version: binary.BigEndian.Uint32(head[:4])}
	switch v := string(head[:4]); {
	case d.version == versionTT, v == versionTrue, v == versionCFF:
	default:
		return directory{}, fmt.Errorf("%w: unknown sfnt version %q", ErrBadFont, v)
	}
	n := int(binary.BigEndian.Uint16(head[4:6]))
	recs, err := readAt(r, off+12, 16*n)
	if err != nil {
		return directory{}, err
	}
	for i := range n {
		b := recs[16*i:]
		d.tables = append(d.tables, tableRecord{
			tag:      string(b[:4]),
			checksum: binary.BigEndian.Uint32(b[4:8]),
			offset:   binary.BigEndian.Uint32(b[8:12]),
			length:   binary.BigEndian.Uint32(b[12:16]),
		})
	}
	return d, nil
}

// ExtractFace returns face index of a TrueType collection (.ttc) as a
// standalone TrueType file with every table at a 4-byte aligned offset, the
// layout golang.org/x/image/font/opentype and fpdf expect. Data that is already
// a single font is returned unchanged when index is 0.
func ExtractFace(data []byte, index int) ([]byte, error) {
	r := readerAt(data)
	off, isTTC, err := faceOffset(r, index)
	if err != nil {
		return nil, err
	}
	if !isTTC {
		return data, nil
	}
	dir, err := readDirectory(r, off)
	if err != nil {
		return nil, err
	}
	tables := append([]tableRecord(nil), dir.tables...)
	slices.SortFunc(tables, func(a, b tableRecord) int { return strings.Compare(a.tag, b.tag) })

	n := len(tables)
	size := 12 + 16*n
	var total uint64
	for i, t := range tables {
		if uint64(t.offset)+uint64(t.length) > uint64(len(data)) {
			return nil, fmt.Errorf("%w: table %q lies outside the file", ErrBadFont, t.tag)
		}
		if i > 0 && t.tag == tables[i-1].tag {
			return nil, fmt.Errorf("%w: table %q is listed twice", ErrBadFont, t.tag)
		}
		// A face's tables do not overlap, so together they fit in the file: a directory
		// that names the same bytes over and over (65,535 tables of a megabyte each is
		// 64 GiB to copy) is not a font.
		if total += uint64(t.length); total > uint64(len(data)) {
			return nil, fmt.Errorf("%w: the tables of face %d are longer together than the file", ErrBadFont, index)
		}
		size += pad4(int(t.length))
	}
	out := make([]byte, size)
	be := binary.BigEndian
	be.PutUint32(out[0:], dir.version)
	be.PutUint16(out[4:], uint16(n))
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= n {
		searchRange *= 2
		entrySelector++
	}
	be.PutUint16(out[6:], uint16(searchRange*16))
	be.PutUint16(out[8:], uint16(entrySelector))
	be.PutUint16(out[10:], uint16(n*16-searchRange*16))

	pos := 12 + 16*n
	headAt := -1
	for i, t := range tables {
		rec := out[12+16*i:]
		copy(rec[:4], t.tag)
		copy(out[pos:], data[t.offset:t.offset+t.length])
		if t.tag == "head" && t.length >= 12 {
			headAt = pos
			be.PutUint32(out[pos+8:], 0) // checkSumAdjustment is recomputed below
		}
		be.PutUint32(rec[4:], checksum(out[pos:pos+pad4(int(t.length))]))
		be.PutUint32(rec[8:], uint32(pos))
		be.PutUint32(rec[12:], t.length)
		pos += pad4(int(t.length))
	}
	if headAt >= 0 {
		be.PutUint32(out[headAt+8:], 0xB1B0AFBA-checksum(out))
	}
	return out, nil
}

func pad4(n int) int { return (n + 3) &^ 3 }

func checksum(b []byte) uint32 {
	var sum uint32
	for i := 0; i+4 <= len(b); i += 4 {
		sum += binary.BigEndian.Uint32(b[i:])
	}
	if rest := len(b) % 4; rest != 0 {
		var last [4]byte
		copy(last[:], b[len(b)-rest:])
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}

type readerAt []byte

func (b readerAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off > int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// coversChinese reads the OS/2 table's Unicode-range and code-page bits, a
// cheap first filter for the scan before whole files are read.
func coversChinese(r io.ReaderAt, dir directory) bool {
	t, ok := dir.find("OS/2")
	if !ok || t.length < 86 {
		return false
	}
	b, err := readAt(r, int64(t.offset), 86)
	if err != nil {
		return false
	}
	unicodeRange2 := binary.BigEndian.Uint32(b[46:50]) // bits 32–63
	codePage1 := binary.BigEndian.Uint32(b[78:82])
	const (
		cjkIdeographs = 1 << (59 - 32)
		gb2312        = 1 << 18
		big5          = 1 << 20
	)
	return unicodeRange2&cjkIdeographs != 0 || codePage1&(gb2312|big5) != 0
}
