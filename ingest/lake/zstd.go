package lake

import (
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// kept is a short free list: it keeps up to n values between uses. A sync.Pool loses
// what it holds at every other garbage collection, and under the ingester's Go memory
// limit the collector runs every fraction of a second at full scale (800 times in a
// festival): what the pool held is then allocated, cleared and faulted in again.
type kept[T any] struct {
	mu    sync.Mutex
	n     int
	free  []T
	fresh func() T
}

func newKept[T any](n int, fresh func() T) *kept[T] { return &kept[T]{n: n, fresh: fresh} }

// get takes a kept value, or makes one when none is free.
func (k *kept[T]) get() T {
	k.mu.Lock()
	if i := len(k.free) - 1; i >= 0 {
		v := k.free[i]
		k.free = k.free[:i]
		k.mu.Unlock()
		return v
	}
	k.mu.Unlock()
	return k.fresh()
}

// put keeps v for the next get, unless n are kept already: v is then left to the
// collector.
func (k *kept[T]) put(v T) {
	k.mu.Lock()
	if len(k.free) < k.n {
		k.free = append(k.free, v)
	}
	k.mu.Unlock()
}

// keptEncoders is how many zstd encoders, and write buffers, the lake keeps between
// files: more than the files the writers compress at once on a small machine (two
// cores, four partitions), few enough that they hold little memory (an encoder holds
// an 8 MiB history).
const keptEncoders = 4

// zstdCodec is what arrow-go's zstd codec does: blocks, blocks with decoding errors
// returned, and streams.
type zstdCodec interface {
	compress.ErrorCodec
	compress.StreamingCodec
}

// arrowZstd is arrow-go's own zstd codec, which pageCodec replaces for every Parquet
// writer and reader of the process. It still decodes, and serves the streams.
var arrowZstd zstdCodec

func init() {
	codec, err := compress.GetCodec(compress.Codecs.Zstd)
	if err != nil {
		panic(err) // arrow-go registers it in its own init
	}
	arrowZstd = codec.(zstdCodec)
	compress.RegisterCodec(compress.Codecs.Zstd, &pageCodec{zstdCodec: arrowZstd, levels: map[zstd.EncoderLevel]*kept[*zstd.Encoder]{}})
}

// pageCodec compresses Parquet pages with zstd as arrow-go's codec does, with the same
// encoder options and so into the same bytes (TestPageCodecWritesArrowsBytes), but
// keeps its encoders in a short free list, where arrow-go keeps them in a sync.Pool.
// Each encoder the pool lost was made again with a fresh 8 MiB history: 472 MB of the
// 16.9 GB a 'demo --scale 0.1' allocated, and 6.4 s of CPU in a profile of the
// festival, 4.4 s of it clearing the new histories (docs/BENCHMARKS.md).
type pageCodec struct {
	zstdCodec
	mu     sync.Mutex
	levels map[zstd.EncoderLevel]*kept[*zstd.Encoder]
}

func (c *pageCodec) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

// EncodeLevel compresses src into dst at level, a zstd level as arrow-go takes it.
func (c *pageCodec) EncodeLevel(dst, src []byte, level int) []byte {
	l := zstd.EncoderLevelFromZstd(level)
	if level == compress.DefaultCompressionLevel {
		l = zstd.SpeedDefault
	}
	encoders := c.encoders(l)
	enc := encoders.get()
	defer encoders.put(enc)
	return enc.EncodeAll(src, dst[:0])
}

// encoders is the free list of the encoders of level l.
func (c *pageCodec) encoders(l zstd.EncoderLevel) *kept[*zstd.Encoder] {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.levels[l]
	if !ok {
		k = newKept(keptEncoders, func() *zstd.Encoder {
			// arrow-go's options (parquet/compress/zstd.go): the same bytes out.
			enc, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l),
				zstd.WithEncoderConcurrency(1), zstd.WithAllLitEntropyCompression(true))
			if err != nil {
				panic(err) // only for invalid options, and these are fixed
			}
			return enc
		})
		c.levels[l] = k
	}
	return k
}
