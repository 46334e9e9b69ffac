package fonts

import (
	"errors"
	"fmt"
	"os"
	"unicode"

	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
)

// Font is one TrueType face that both gonum/plot and fpdf can draw with.
type Font struct {
	// Name is the family name from the font's name table, used as the
	// gonum/plot typeface.
	Name string
	// Path is the file the font was loaded from; empty for bundled fonts.
	Path string
	// TTF is a standalone TrueType file with glyf outlines (face 0 when the
	// source was a collection), the bytes given to fpdf.
	TTF []byte

	face *opentype.Font
}

// Parse reads a TrueType font or face 0 of a TrueType collection. It returns
// ErrNotTrueType for CFF-outline fonts, which fpdf cannot embed.
func Parse(data []byte) (*Font, error) {
	ttf, err := ExtractFace(data, 0)
	if err != nil {
		return nil, err
	}
	dir, err := readDirectory(readerAt(ttf), 0)
	if err != nil {
		return nil, err
	}
	if !dir.hasGlyf() {
		return nil, ErrNotTrueType
	}
	face, err := opentype.Parse(ttf)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadFont, err)
	}
	var buf sfnt.Buffer
	name, err := face.Name(&buf, sfnt.NameIDFamily)
	if err != nil || name == "" {
		name = "unnamed"
	}
	return &Font{Name: name, TTF: ttf, face: face}, nil
}

// Load reads and parses the font file at path (see Parse).
func Load(path string) (*Font, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read font: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	f.Path = path
	return f, nil
}

// Face returns the parsed face, for gonum/plot.
func (f *Font) Face() *opentype.Font { return f.face }

// Covers returns the runes of text that the font has no glyph for, each once,
// in order of first use; nil means every rune can be drawn. Control characters
// such as '\n' draw nothing and are not checked. Runes beyond the Basic
// Multilingual Plane count as missing because fpdf's UTF-8 fonts stop there.
func (f *Font) Covers(text string) (missing []rune) {
	var buf sfnt.Buffer
	seen := map[rune]bool{}
	for _, r := range text {
		if seen[r] || unicode.IsControl(r) {
			continue
		}
		seen[r] = true
		g, err := f.face.GlyphIndex(&buf, r)
		if err != nil || g == 0 || r > 0xFFFF {
			missing = append(missing, r)
		}
	}
	return missing
}

// Check returns a *MissingGlyphsError for the first text with a rune the font
// cannot draw.
func (f *Font) Check(texts ...string) error {
	for _, t := range texts {
		if m := f.Covers(t); m != nil {
			return &MissingGlyphsError{Font: f.Name, Missing: m, Text: t}
		}
	}
	return nil
}

// Family pairs a regular face with an optional bold one. Bold is nil when the
// family has no bold face (WenQuanYi Micro Hei has none); renderers then use
// Regular and mark emphasis by size or colour.
type Family struct {
	Regular *Font
	Bold    *Font
}

// Name is the family name of the regular face.
func (fam Family) Name() string { return fam.Regular.Name }

// BoldOrRegular returns the face that bold text is drawn with.
func (fam Family) BoldOrRegular() *Font {
	if fam.Bold != nil {
		return fam.Bold
	}
	return fam.Regular
}

// Check returns a *MissingGlyphsError if a face of the family cannot draw a
// rune of texts.
func (fam Family) Check(texts ...string) error {
	if fam.Regular == nil {
		return errors.New("font family has no regular face")
	}
	if err := fam.Regular.Check(texts...); err != nil {
		return err
	}
	if fam.Bold != nil {
		return fam.Bold.Check(texts...)
	}
	return nil
}
