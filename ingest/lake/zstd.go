package lake

import (
	"sync"

	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

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
