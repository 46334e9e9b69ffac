package produce

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/segmentio/kafka-go/compress"

	"github.com/hongbao/hongbao/ingest/events"
	"github.com/hongbao/hongbao/ingest/simulate"
)

var errEnough = errors.New("enough events")

// eventBatch is n simulated events as the producer encodes them, one after another:
// what a partition's batch holds before compression.
func eventBatch(tb testing.TB, n int) []byte {
	tb.Helper()
	sim, err := simulate.New(simulate.Config{Scale: 0.001, Seed: 5})
	if err != nil {
		tb.Fatal(err)
	}
	var b []byte
	count := 0
	err = sim.Run(context.Background(), func(e *events.Event) error {
		if b, err = events.AppendEncoded(b, e); err != nil {
			return err
		}
		if count++; count == n {
			return errEnough
		}
		return nil
	})
	if !errors.Is(err, errEnough) {
		tb.Fatalf("simulated %d events, want %d: %v", count, n, err)
	}
	return b
}

// compressWith compresses src with c into dst (emptied first) and returns the frame.
func compressWith(tb testing.TB, c compress.Codec, dst *bytes.Buffer, src []byte) []byte {
	return compressInPieces(tb, c, dst, src, nil)
}

// compressInPieces is compressWith writing src in writes of the sizes pieces gives, in
// turn; nil pieces write it at once.
func compressInPieces(tb testing.TB, c compress.Codec, dst *bytes.Buffer, src []byte, pieces []int) []byte {
	tb.Helper()
	dst.Reset()
	w := c.NewWriter(dst)
	for i := 0; len(src) > 0; i++ {
		n := len(src)
		if pieces != nil {
			n = min(pieces[i%len(pieces)], n)
		}
		if _, err := w.Write(src[:n]); err != nil {
			tb.Fatal(err)
		}
		src = src[n:]
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return dst.Bytes()
}

// TestLZ4FramesAsJavaProducer checks the installed codec writes the Java producer's
// frame (64 KiB blocks, independent, no checksums) and that kafka-go reads it back
// byte for byte, several times through the pooled writers.
func TestLZ4FramesAsJavaProducer(t *testing.T) {
	codec := compress.Lz4.Codec()
	if _, ok := codec.(*javaLZ4); !ok {
		t.Fatalf("kafka-go's lz4 codec is %T, want the one this package installs", codec)
	}
	src := eventBatch(t, 5_000)
	for round := range 4 {
		// Odd rounds write the batch a few bytes at a time, as kafka-go does.
		frame := compressWith(t, codec, new(bytes.Buffer), src)
		if round%2 == 1 {
			if fields := compressInPieces(t, codec, new(bytes.Buffer), src, recordWrites); !bytes.Equal(fields, frame) {
				t.Fatalf("round %d: written field by field, the frame differs from the one written at once", round)
			}
		}
		// Magic 0x184D2204, then FLG: version 01, blocks independent, no block or
		// content checksum, no content size; BD: 64 KiB blocks.
		if got, want := frame[:6], []byte{0x04, 0x22, 0x4d, 0x18, 0x60, 0x40}; !bytes.Equal(got, want) {
			t.Fatalf("round %d: frame header % x, want % x", round, got, want)
		}
		r := codec.NewReader(bytes.NewReader(frame))
		back, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back, src) {
			t.Fatalf("round %d: %d bytes read back differ from the %d written", round, len(back), len(src))
		}
		if len(frame) > len(src)/3 {
			t.Fatalf("round %d: %d bytes compressed to %d: not compressed", round, len(src), len(frame))
		}
	}
}

// BenchmarkLZ4 compresses a 5,000-event batch with kafka-go's own lz4 codec (4 MiB
// blocks and a content checksum) and with the installed one: in one write, and in
// writes of a few bytes as kafka-go's record encoder makes them (FieldByField).
func BenchmarkLZ4(b *testing.B) {
	src := eventBatch(b, 5_000)
	for _, c := range []struct {
		name  string
		codec compress.Codec
	}{{"kafka-go", &compress.Lz4Codec}, {"java-frames", compress.Lz4.Codec()}} {
		for _, fields := range []bool{false, true} {
			name, pieces := c.name, []int(nil)
			if fields {
				name, pieces = name+"/FieldByField", recordWrites
			}
			b.Run(name, func(b *testing.B) {
				b.SetBytes(int64(len(src)))
				var out int
				var dst bytes.Buffer
				for b.Loop() {
					out = len(compressInPieces(b, c.codec, &dst, src, pieces))
				}
				b.ReportMetric(float64(len(src))/float64(out), "ratio")
			})
		}
	}
}

// recordWrites are the sizes of the writes kafka-go's record encoder makes for one
// record of a batch (length, attributes, timestamp and offset deltas, key length, key,
// value length), then the value: about 200 bytes for an event.
var recordWrites = []int{1, 1, 1, 2, 1, 12, 2, 180}
