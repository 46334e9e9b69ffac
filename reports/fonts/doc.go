// Package fonts finds, loads, checks and registers the fonts that the report
// renderers draw with: a TrueType face with glyf outlines that covers every rune
// of the text (Chinese, Latin and digits in one face), taken from HONGBAO_FONT,
// an explicit path or the system font folders, with face 0 of a TrueType
// collection copied out into a standalone file, and the bundled Liberation Sans
// for English-only reports. It sits under reports/chart (gonum/plot PNGs) and
// reports/pdf (fpdf documents) and registers the same bytes with both, so a
// chart and the PDF around it can never disagree about which glyphs exist.
package fonts
