// Package notebooks runs SQL notebooks, the analysts' end of the flow (lake → warehouse →
// sql → notebooks): a notebook is a Markdown file whose ```sql blocks are cells, each
// optionally followed by a ```chart block; Run executes every cell against the warehouse
// and WriteHTML renders one self-contained HTML page with the prose, each cell's SQL,
// its result as a table (long results cut, with the row count), its chart, its time, and
// a failed cell's error in place while the other cells still run. A chart is inline SVG
// laid out in Go whose texts the browser draws with its own fonts: running a notebook
// reads no font, so none can be missing, Chinese bank names included. The notebooks shipped
// with hongbao are the *.md files of this folder, embedded (Shipped, Open).
package notebooks
