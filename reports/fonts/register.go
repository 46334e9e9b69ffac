package fonts

import (
	"fmt"

	"github.com/go-pdf/fpdf"
	stdfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
)

// PlotFont returns the gonum/plot descriptor of the family's regular face;
// set Weight to font.WeightBold for the bold face.
func (fam Family) PlotFont() font.Font {
	return font.Font{Typeface: font.Typeface(fam.Name())}
}

// PlotCollection returns the family's faces as a gonum/plot collection, for
// font.NewCache or (*font.Cache).Add.
func (fam Family) PlotCollection() font.Collection {
	regular := fam.PlotFont()
	coll := font.Collection{{Font: regular, Face: fam.Regular.Face()}}
	if fam.Bold != nil {
		bold := regular
		bold.Weight = stdfont.WeightBold
		coll = append(coll, font.Face{Font: bold, Face: fam.Bold.Face()})
	}
	return coll
}

// SetPlotDefault adds the family to gonum/plot's default font cache and makes
// it the default font of plot and plotter, for code that draws with
// gonum/plot's defaults. Both defaults must be set: plotter copies
// plot.DefaultFont when it is initialised, so setting only one leaves labels
// in Liberation, which has no Chinese and draws nothing for it. It changes
// process-wide state; reports/chart does not need it.
func (fam Family) SetPlotDefault() {
	font.DefaultCache.Add(fam.PlotCollection())
	plot.DefaultFont = fam.PlotFont()
	plotter.DefaultFont = fam.PlotFont()
}

// AddToPDF embeds the family in pdf as UTF-8 (Type0, Identity-H) fonts under
// the name family: the regular face with style "" and, if present, the bold
// face with style "B". fpdf does not report a font it failed to parse until
// the font is selected, so each face is selected once here and pdf.Error()
// checked; the current font is left unspecified.
//
// fpdf reads the font with a parser of its own, which panics on some damaged fonts
// that x/image accepts; such a panic is returned as an ErrBadFont error, and pdf must
// then be dropped.
func (fam Family) AddToPDF(pdf *fpdf.Fpdf, family string) (err error) {
	var current *Font
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: fpdf cannot read the font %q (%v); use another font", ErrBadFont, current.Name, p)
		}
	}()
	faces := []struct {
		style string
		font  *Font
	}{{"", fam.Regular}, {"B", fam.Bold}}
	for _, f := range faces {
		if f.font == nil {
			continue
		}
		current = f.font
		pdf.AddUTF8FontFromBytes(family, f.style, f.font.TTF)
		pdf.SetFont(family, f.style, 10)
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("register font %q (style %q) with fpdf: %w", f.font.Name, f.style, err)
		}
	}
	return nil
}
