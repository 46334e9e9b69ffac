// Package chart draws the report charts (line charts over time or numbers,
// bar charts over categories) with gonum/plot and returns them as PNG at 200
// dpi. Its inputs are plain data, slices of x/y values and labels computed from
// the warehouse elsewhere; its output is the PNG that hongbao report writes
// next to the PDF and that reports/pdf places in it. Every chart has a title,
// axis labels with units and a source line, and may carry horizontal reference
// lines and annotated points. Times are shown in Asia/Shanghai. A chart whose
// text has a rune the font cannot draw is refused, since gonum/plot would draw
// nothing for it.
package chart
