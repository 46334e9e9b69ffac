package fonts

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"codeberg.org/go-fonts/liberation/liberationsansbold"
	"codeberg.org/go-fonts/liberation/liberationsansregular"
	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"

	"github.com/hongbao/hongbao/internal/testenv"
)

// chinese returns the installed Chinese family or skips (fails on CI).
func chinese(t *testing.T) Family {
	t.Helper()
	fam, err := Chinese("")
	if errors.Is(err, ErrNoChineseFont) {
		testenv.Missing(t, "%v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fam
}

func TestChineseCoversReportText(t *testing.T) {
	fam := chinese(t)
	t.Logf("using %q from %s", fam.Name(), fam.Regular.Path)
	if m := fam.Regular.Covers("微信支付 支付宝 12 180"); m != nil {
		t.Errorf("missing %q", m)
	}
	if err := fam.Check("红包：2014年春节 除夕 00:00–00:01"); err != nil {
		t.Error(err)
	}
	if _, err := opentype.Parse(fam.Regular.TTF); err != nil {
		t.Errorf("TTF given to fpdf does not parse: %v", err)
	}
}

func TestCoversReportsMissingRunes(t *testing.T) {
	fam, err := Latin()
	if err != nil {
		t.Fatal(err)
	}
	got := fam.Regular.Covers("WeChat 微信 12\n微")
	if want := []rune{'微', '信'}; !slices.Equal(got, want) {
		t.Errorf("Covers = %q, want %q", got, want)
	}
	err = fam.Check("ok", "支付宝")
	var mg *MissingGlyphsError
	if !errors.As(err, &mg) || mg.Text != "支付宝" || len(mg.Missing) != 3 {
		t.Fatalf("Check = %v, want MissingGlyphsError for 支付宝", err)
	}
	if !strings.Contains(err.Error(), "U+652F") {
		t.Errorf("message %q does not name the code point", err)
	}
	if m := fam.Regular.Covers("\U0001F9E7"); len(m) != 1 {
		t.Errorf("rune outside the BMP must count as missing, got %q", m)
	}
}

// buildTTC packs fonts into a collection the way wqy-microhei.ttc is laid
// out: tables at unaligned offsets, which x/image/font/sfnt rejects.
func buildTTC(t testing.TB, fonts ...[]byte) []byte {
	t.Helper()
	be := binary.BigEndian
	var body bytes.Buffer
	dirs := make([][]byte, len(fonts))
	headerLen := 12 + 4*len(fonts)
	dirLen := 0
	for _, f := range fonts {
		dirLen += 12 + 16*int(be.Uint16(f[4:6]))
	}
	base := headerLen + dirLen
	body.WriteByte(0) // puts every table off alignment
	for i, f := range fonts {
		n := int(be.Uint16(f[4:6]))
		dir := append([]byte(nil), f[:12+16*n]...)
		for j := range n {
			rec := dir[12+16*j:]
			off, length := be.Uint32(rec[8:]), be.Uint32(rec[12:])
			be.PutUint32(rec[8:], uint32(base+body.Len()))
			body.Write(f[off : off+length])
			body.WriteByte(0xEE) // odd padding keeps the next table unaligned
		}
		dirs[i] = dir
	}
	out := make([]byte, headerLen)
	copy(out, tagTTC)
	be.PutUint32(out[4:], 0x00010000)
	be.PutUint32(out[8:], uint32(len(fonts)))
	pos := headerLen
	for i, d := range dirs {
		be.PutUint32(out[12+4*i:], uint32(pos))
		pos += len(d)
	}
	for _, d := range dirs {
		out = append(out, d...)
	}
	return append(out, body.Bytes()...)
}

// extractFace extracts face i of a collection, which x/image must then parse.
func extractFace(t *testing.T, collection []byte, i int) ([]byte, *opentype.Font) {
	t.Helper()
	ttf, err := ExtractFace(collection, i)
	if err != nil {
		t.Fatal(err)
	}
	face, err := opentype.Parse(ttf)
	if err != nil {
		t.Fatalf("x/image rejects extracted face %d: %v", i, err)
	}
	return ttf, face
}

func TestExtractFaceFromUnalignedCollection(t *testing.T) {
	ttc := buildTTC(t, liberationsansregular.TTF, liberationsansbold.TTF)
	coll, err := sfnt.ParseCollection(ttc)
	if err == nil {
		_, err = coll.Font(1)
	}
	if err == nil {
		t.Fatal("test collection is accepted by x/image as is; it no longer reproduces wqy-microhei.ttc")
	}

	ttf, face := extractFace(t, ttc, 1)
	want, _ := opentype.Parse(liberationsansbold.TTF)
	var buf sfnt.Buffer
	full, _ := face.Name(&buf, sfnt.NameIDFull)
	if full != "Liberation Sans Bold" || face.NumGlyphs() != want.NumGlyphs() {
		t.Errorf("face 1 = %q with %d glyphs, want Liberation Sans Bold with %d", full, face.NumGlyphs(), want.NumGlyphs())
	}
	if checksum(ttf) != 0xB1B0AFBA {
		t.Errorf("whole-file checksum %#x, want 0xB1B0AFBA", checksum(ttf))
	}

	f, err := Parse(ttc) // face 0
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "Liberation Sans" || f.Covers("WeChat 12") != nil {
		t.Errorf("Parse(ttc) = %q", f.Name)
	}
	if _, err := ExtractFace(ttc, 2); !errors.Is(err, ErrBadFont) {
		t.Errorf("face 2 of 2: err = %v, want ErrBadFont", err)
	}
}

func TestExtractFaceFromInstalledCollection(t *testing.T) {
	fam := chinese(t)
	if !strings.HasSuffix(strings.ToLower(fam.Regular.Path), ".ttc") {
		testenv.Missing(t, "installed Chinese font %s is not a collection (.ttc); this test needs one (apt-get install fonts-wqy-microhei)", fam.Regular.Path)
	}
	data, err := os.ReadFile(fam.Regular.Path)
	if err != nil {
		t.Fatal(err)
	}
	_, face := extractFace(t, data, 0)
	var buf sfnt.Buffer
	if g, _ := face.GlyphIndex(&buf, '红'); g == 0 {
		t.Error("extracted face lost 红")
	}
}

func TestParseRejectsCFF(t *testing.T) {
	otf := make([]byte, 12+16)
	copy(otf, versionCFF)
	binary.BigEndian.PutUint16(otf[4:], 1)
	copy(otf[12:], "CFF ")
	if _, err := Parse(otf); !errors.Is(err, ErrNotTrueType) {
		t.Errorf("err = %v, want ErrNotTrueType", err)
	}
	if _, err := Parse([]byte("not a font at all")); !errors.Is(err, ErrBadFont) {
		t.Errorf("err = %v, want ErrBadFont", err)
	}
}

func TestScanFindsNothingInEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	// A Latin-only font must not be taken for a Chinese one.
	if err := os.WriteFile(filepath.Join(dir, "LiberationSans.ttf"), liberationsansregular.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Scan([]string{dir, filepath.Join(dir, "missing")})
	if !errors.Is(err, ErrNoChineseFont) {
		t.Fatalf("err = %v, want ErrNoChineseFont", err)
	}
	if !strings.Contains(err.Error(), "apt-get install fonts-wqy-microhei") {
		t.Errorf("message %q does not name the package", err)
	}
}

func TestChineseNamedFontMustQualify(t *testing.T) {
	dir := t.TempDir()
	latin := filepath.Join(dir, "LiberationSans.ttf")
	if err := os.WriteFile(latin, liberationsansregular.TTF, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvFont, latin)
	_, err := Chinese("")
	var mg *MissingGlyphsError
	if !errors.As(err, &mg) || !strings.Contains(err.Error(), EnvFont) {
		t.Errorf("HONGBAO_FONT=Latin font: err = %v, want MissingGlyphsError naming %s", err, EnvFont)
	}
	if _, err := Chinese(filepath.Join(dir, "none.ttf")); err == nil || errors.Is(err, ErrNoChineseFont) {
		t.Errorf("missing explicit file: err = %v, want a read error", err)
	}
}

func TestAddToPDF(t *testing.T) {
	fam, err := Latin()
	if err != nil {
		t.Fatal(err)
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	if err := fam.AddToPDF(pdf, "body"); err != nil {
		t.Fatal(err)
	}
	pdf.AddPage()
	pdf.SetFont("body", "B", 12)
	pdf.Cell(40, 10, "WeChat Pay")
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		t.Fatal(err)
	}

	broken := Family{Regular: &Font{Name: "broken", TTF: []byte("garbage")}}
	if err := broken.AddToPDF(fpdf.New("P", "mm", "A4", ""), "body"); err == nil {
		t.Error("fpdf accepted garbage font bytes without error")
	}

	// One byte of Liberation Sans's table directory changed: x/image still reads the
	// font, and fpdf's own parser panicked on it.
	damaged := append([]byte(nil), liberationsansregular.TTF...)
	damaged[270] = 0x37
	font, err := Parse(damaged)
	if err != nil {
		t.Fatalf("Parse of the damaged font: %v; the case needs a font x/image reads", err)
	}
	err = Family{Regular: font}.AddToPDF(fpdf.New("P", "mm", "A4", ""), "body")
	if !errors.Is(err, ErrBadFont) || !strings.Contains(err.Error(), "fpdf cannot read the font") {
		t.Errorf("AddToPDF of a font fpdf's parser fails on = %v, want ErrBadFont", err)
	}
}

func TestSetPlotDefault(t *testing.T) {
	fam := chinese(t)
	oldPlot, oldPlotter := plot.DefaultFont, plotter.DefaultFont
	t.Cleanup(func() { plot.DefaultFont, plotter.DefaultFont = oldPlot, oldPlotter })

	fam.SetPlotDefault()
	if plot.DefaultFont != fam.PlotFont() || plotter.DefaultFont != fam.PlotFont() {
		t.Fatalf("defaults are %v and %v, want %v", plot.DefaultFont, plotter.DefaultFont, fam.PlotFont())
	}
	if !font.DefaultCache.Has(fam.PlotFont()) {
		t.Fatal("font not in gonum/plot's default cache")
	}
	// A plot made with the defaults now draws its text with the family.
	p := plot.New()
	if face := font.DefaultCache.Lookup(p.Title.TextStyle.Font, 12).Face; face != fam.Regular.Face() {
		t.Error("plot.New() title does not use the family's face")
	}
	if got := plotter.DefaultFont.Typeface; got != font.Typeface(fam.Name()) {
		t.Errorf("plotter.DefaultFont typeface %q", got)
	}
}

// TestExtractFaceRefusesRepeatedTables: a collection whose face lists one table over and
// over, 65,535 times the whole file, is refused as a bad font rather than copied (it
// asked for 64 GiB from a 1 MiB file, and the report died out of memory).
func TestExtractFaceRefusesRepeatedTables(t *testing.T) {
	be := binary.BigEndian
	const n, dirAt = 65535, 16
	data := make([]byte, dirAt+12+16*n)
	copy(data, tagTTC)
	be.PutUint32(data[4:], 0x00010000)
	be.PutUint32(data[8:], 1)
	be.PutUint32(data[12:], dirAt)
	be.PutUint32(data[dirAt:], versionTT)
	be.PutUint16(data[dirAt+4:], n)
	for i := range n {
		rec := data[dirAt+12+16*i:]
		copy(rec, fmt.Sprintf("%04x", i)) // every tag different, every table the whole file
		be.PutUint32(rec[12:], uint32(len(data)))
	}
	if _, err := ExtractFace(data, 0); !errors.Is(err, ErrBadFont) || !strings.Contains(err.Error(), "longer together than the file") {
		t.Errorf("ExtractFace = %v, want ErrBadFont for tables longer than the file", err)
	}
	copy(data[dirAt+12+16:], data[dirAt+12:dirAt+16]) // the second record names the first's tag
	if _, err := ExtractFace(data, 0); !errors.Is(err, ErrBadFont) || !strings.Contains(err.Error(), "listed twice") {
		t.Errorf("ExtractFace = %v, want ErrBadFont for a tag listed twice", err)
	}
}

// FuzzParse: any bytes handed over as a font (--font, HONGBAO_FONT, a file in a font
// folder) give an error or a font, never a panic; a collection's face is never much
// larger than the collection; and fpdf takes the font or AddToPDF says it cannot.
// (reports/pdf FuzzDocumentFont goes on to write a PDF with it.)
func FuzzParse(f *testing.F) {
	f.Add(liberationsansregular.TTF)
	f.Add(buildTTC(f, liberationsansregular.TTF, liberationsansbold.TTF))
	f.Add([]byte("ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10\x00\x01\x00\x00\x00\x02"))
	f.Add([]byte("\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00glyf\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10"))
	f.Fuzz(func(t *testing.T, data []byte) {
		font, err := Parse(data)
		if err != nil {
			return
		}
		// The directory (16 bytes a table) and the tables (padded to 4 bytes) are copied
		// once: with the tables together no longer than the file, at most about twice it.
		if len(font.TTF) > 3*len(data)+12 {
			t.Fatalf("a %d-byte file gave a %d-byte face", len(data), len(font.TTF))
		}
		font.Covers("微信红包 WeChat 2014")
		pdf := fpdf.New("P", "mm", "A4", "")
		if err := (Family{Regular: font}).AddToPDF(pdf, "body"); err != nil && !errors.Is(err, ErrBadFont) {
			t.Fatalf("AddToPDF: %v, not ErrBadFont", err)
		}
	})
}
