// Package textwrap breaks mixed Chinese and Latin text into lines of a given
// drawn width for reports/chart, reports/pdf and the notebooks' SVG charts: at
// spaces in Latin text, between Chinese characters, and never before closing
// punctuation. It exists because fpdf's own MultiCell and SplitText drop the
// Chinese character at which they break a line; the width is measured by a
// function the caller passes, from a font or an estimate. For a terminal it measures
// text in cells (DisplayWidth) and makes text from data inert (Inert).
package textwrap
