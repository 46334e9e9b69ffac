package lake

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// pagesToCompress are inputs shaped like the lake's pages: users' ids one after the
// other, a little over a megabyte of them, timestamps' deltas, and an empty page.
func pagesToCompress() [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	var ids, big bytes.Buffer
	for range 40_000 {
		fmt.Fprintf(&ids, "u%07d", r.IntN(5_000_000))
	}
	for big.Len() < 1_200_000 {
		fmt.Fprintf(&big, "s1jy-%06x%d", r.Uint32(), r.IntN(10))
	}
	deltas := make([]byte, 64<<10)
	for i := range deltas {
		deltas[i] = byte(r.IntN(7))
	}
	return [][]byte{ids.Bytes(), big.Bytes(), deltas, {}}
}

// TestPageCodecWritesArrowsBytes: the lake's zstd codec is the one every Parquet writer
// of the process gets, and it writes what arrow-go's writes, byte for byte, at the
// lake's level and others, and reads back what it wrote.
func TestPageCodecWritesArrowsBytes(t *testing.T) {
	codec, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := codec.(*pageCodec); !ok {
		t.Fatalf("the registered zstd codec is %T, want the lake's *pageCodec", codec)
	}
	for _, level := range []int{1, 3, compress.DefaultCompressionLevel} {
		for i, page := range pagesToCompress() {
			for round := range 2 { // the second round reuses the kept encoder
				got := codec.EncodeLevel(nil, page, level)
				want := arrowZstd.EncodeLevel(nil, page, level)
				if !bytes.Equal(got, want) {
					t.Fatalf("level %d, page %d, round %d: %d bytes, arrow-go's codec wrote %d other bytes", level, i, round, len(got), len(want))
				}
				back, err := codec.(*pageCodec).DecodeWithError(nil, got)
				if err != nil || !bytes.Equal(back, page) {
					t.Fatalf("level %d, page %d: decoded %d bytes (%v), want the %d compressed", level, i, len(back), err, len(page))
				}
			}
		}
	}
}

// TestPageCodecKeepsEncoders: an encoder given back is the one the next page gets, after
// garbage collections too (a sync.Pool would have lost it), and no more than
// keptEncoders of them are kept.
func TestPageCodecKeepsEncoders(t *testing.T) {
	c := &pageCodec{zstdCodec: arrowZstd, levels: map[zstd.EncoderLevel]*kept[*zstd.Encoder]{}}
	encoders := c.encoders(zstd.SpeedFastest)
	first := encoders.get()
	encoders.put(first)
	runtime.GC()
	runtime.GC()
	if again := encoders.get(); again != first {
		t.Error("the encoder given back was not kept across two collections")
	} else {
		encoders.put(again)
	}
	var held []*zstd.Encoder
	for range keptEncoders + 3 {
		held = append(held, encoders.get())
	}
	for _, e := range held {
		encoders.put(e)
	}
	if n := len(encoders.free); n != keptEncoders {
		t.Errorf("%d encoders kept after %d were given back, want %d", n, len(held), keptEncoders)
	}
	if c.encoders(zstd.SpeedFastest) != encoders || c.encoders(zstd.SpeedDefault) == encoders {
		t.Error("each level should have its own free list, made once")
	}
}
