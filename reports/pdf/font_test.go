package pdf

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"codeberg.org/go-fonts/liberation/liberationsansregular"

	"github.com/hongbao/hongbao/reports/fonts"
)

// damagedLatin is Liberation Sans with one byte changed at at: a font x/image reads.
func damagedLatin(t testing.TB, at int, b byte) fonts.Family {
	t.Helper()
	data := append([]byte(nil), liberationsansregular.TTF...)
	data[at] = b
	f, err := fonts.Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v; the case needs a font x/image reads", err)
	}
	return fonts.Family{Regular: f}
}

// writeWith sets a heading and a paragraph in fam and saves them to a new folder,
// returning what the folder holds afterwards and the error.
func writeWith(fam fonts.Family) ([]os.DirEntry, error) {
	dir, err := os.MkdirTemp("", "hongbao-pdf-font")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	d, err := New(fam, Meta{Title: "Report 2014", Footer: "hongbao"})
	if err == nil {
		d.Heading(1, "Headline figures")
		d.Paragraph("WeChat Pay bound 12 banks; Alipay about 180.")
		err = d.Save(filepath.Join(dir, "report.pdf"))
	}
	left, _ := os.ReadDir(dir)
	return left, err
}

// TestDamagedFontIsAnError: fpdf cuts the font's subset while it writes the PDF, with a
// parser that panicked on a font x/image accepts. The report gets an error that names
// the font and writes no file.
func TestDamagedFontIsAnError(t *testing.T) {
	left, err := writeWith(damagedLatin(t, 16344, 0xad))
	if !errors.Is(err, fonts.ErrBadFont) || !strings.Contains(err.Error(), `"Liberation Sans"`) {
		t.Errorf("Save with a damaged font = %v, want ErrBadFont naming the font", err)
	}
	if len(left) != 0 {
		t.Errorf("a failed save left %v", left)
	}
	if _, err := writeWith(damagedLatin(t, 270, 0x37)); !errors.Is(err, fonts.ErrBadFont) {
		t.Errorf("New with a font fpdf cannot read = %v, want ErrBadFont", err)
	}
}

// FuzzDocumentFont: a PDF set in any font that fonts.Parse accepts is written, or
// fails with an error, never a panic (fonts.FuzzParse covers the bytes Parse refuses).
func FuzzDocumentFont(f *testing.F) {
	for _, at := range []int{16344, 270, 367, 16361} {
		data := append([]byte(nil), liberationsansregular.TTF...)
		data[at] ^= 0x5a
		f.Add(data)
	}
	f.Add(liberationsansregular.TTF)
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := fonts.Parse(data)
		if err != nil {
			return
		}
		if _, err := writeWith(fonts.Family{Regular: font}); err != nil && !errors.Is(err, fonts.ErrBadFont) {
			var mg *fonts.MissingGlyphsError
			if !errors.As(err, &mg) {
				t.Fatalf("a PDF in a parsed font: %v, neither ErrBadFont nor missing glyphs", err)
			}
		}
	})
}
