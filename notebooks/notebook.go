package notebooks

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Notebook is a parsed notebook: prose and cells in document order.
type Notebook struct {
	Name   string  // file name without .md, e.g. midnight_peak
	Title  string  // text of the first level-1 heading; Name if none
	Blocks []Block // in document order
}

// Block is a stretch of prose or a cell. Exactly one of HTML and Cell is set.
type Block struct {
	HTML []byte // rendered Markdown; raw HTML in the source is left out
	Cell *Cell
}

// Cell is one ```sql block and the ```chart block right after it, if any.
//
// The info string may name the cell and set how many rows the page shows:
// ```sql name=peak rows=60. Names are what tests and links (#peak) use.
type Cell struct {
	Index int    // 1-based position among the notebook's cells
	Name  string // from name=; "cell-N" if not given
	Line  int    // line of the opening fence
	SQL   string // one or more statements; the last one's result is shown
	Rows  int    // rows the page shows; 0 means the runner's default
	Chart *ChartSpec
}

// Cells returns the notebook's cells in order.
func (nb *Notebook) Cells() []*Cell {
	var cells []*Cell
	for _, b := range nb.Blocks {
		if b.Cell != nil {
			cells = append(cells, b.Cell)
		}
	}
	return cells
}

// Cell returns the cell named name, or nil.
func (nb *Notebook) Cell(name string) *Cell {
	for _, c := range nb.Cells() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// markdown renders prose: GitHub tables and autolinks, emphasis that works next to
// Chinese punctuation, heading ids for links. Raw HTML is not passed through (goldmark's
// default), so a notebook cannot inject script. (goldmark's East Asian line breaks are
// left off: they also swallow the space before a line starting with **bold**.)
var markdown = goldmark.New(
	goldmark.WithExtensions(extension.GFM, extension.NewCJK(extension.WithEscapedSpace())),
	goldmark.WithParserOptions(parser.WithAutoHeadingID()),
)

// Parse reads a notebook. file names it in errors; its base name without .md becomes
// the notebook's Name. Only top-level fenced blocks are cells: a ```sql block inside a
// list is an example, shown as code.
func Parse(file string, src []byte) (*Notebook, error) {
	nb := &Notebook{Name: baseName(file)}
	doc := markdown.Parser().Parse(text.NewReader(src))
	var prose bytes.Buffer
	flush := func() {
		if prose.Len() > 0 {
			nb.Blocks = append(nb.Blocks, Block{HTML: bytes.Clone(prose.Bytes())})
			prose.Reset()
		}
	}
	names := map[string]int{}
	var last *Cell // the cell a chart block may follow
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		if h, ok := n.(*ast.Heading); ok && h.Level == 1 && nb.Title == "" {
			nb.Title = plainText(h, src)
		}
		fc, ok := n.(*ast.FencedCodeBlock)
		lang := ""
		if ok {
			lang = string(fc.Language(src))
		}
		switch lang {
		case "sql":
			flush()
			line := lineOf(src, fc)
			c := &Cell{Index: len(nb.Cells()) + 1, Line: line, SQL: strings.TrimSpace(blockText(fc, src))}
			if err := c.parseInfo(infoString(fc, src)); err != nil {
				return nil, &SyntaxError{File: file, Line: line, Msg: err.Error()}
			}
			if c.Name == "" {
				c.Name = "cell-" + strconv.Itoa(c.Index)
			}
			if prev, dup := names[c.Name]; dup {
				return nil, &SyntaxError{File: file, Line: line, Msg: fmt.Sprintf("cell name %q is taken by the cell on line %d", c.Name, prev)}
			}
			names[c.Name] = line
			if c.SQL == "" {
				return nil, &SyntaxError{File: file, Line: line, Msg: "the sql block is empty"}
			}
			nb.Blocks = append(nb.Blocks, Block{Cell: c})
			last = c
			continue
		case "chart":
			line := lineOf(src, fc)
			if last == nil || prose.Len() > 0 {
				return nil, &SyntaxError{File: file, Line: line, Msg: "a chart block must follow a sql block directly"}
			}
			if last.Chart != nil {
				return nil, &SyntaxError{File: file, Line: line, Msg: "the sql block before already has a chart"}
			}
			spec, err := ParseChart(blockText(fc, src))
			if err != nil {
				return nil, &SyntaxError{File: file, Line: line + spec.errLine, Msg: err.Error()}
			}
			last.Chart = spec
			continue
		}
		if err := markdown.Renderer().Render(&prose, src, n); err != nil {
			return nil, fmt.Errorf("%s: render Markdown: %w", file, err)
		}
		last = nil
	}
	flush()
	if nb.Title == "" {
		nb.Title = nb.Name
	}
	if len(nb.Cells()) == 0 {
		return nil, &SyntaxError{File: file, Line: 1, Msg: "the notebook has no ```sql block"}
	}
	return nb, nil
}

// parseInfo reads name=ID and rows=N after the language of a sql fence.
func (c *Cell) parseInfo(info string) error {
	fields := strings.Fields(info)
	for _, f := range fields[min(1, len(fields)):] {
		k, v, ok := strings.Cut(f, "=")
		switch {
		case ok && k == "name" && validName(v):
			c.Name = v
		case ok && k == "rows":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return fmt.Errorf("rows=%s: give a number of rows above 0", v)
			}
			c.Rows = n
		default:
			return fmt.Errorf("unknown setting %q after ```sql: use name=ID (letters, digits, - and _) and rows=N", f)
		}
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return true
}

func baseName(file string) string {
	i := strings.LastIndexAny(file, `/\`)
	return strings.TrimSuffix(file[i+1:], ".md")
}

func blockText(n ast.Node, src []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		b.Write(seg.Value(src))
	}
	return b.String()
}

func infoString(fc *ast.FencedCodeBlock, src []byte) string {
	if fc.Info == nil {
		return ""
	}
	return string(fc.Info.Segment.Value(src))
}

// lineOf is the 1-based line of a fenced block's opening fence.
func lineOf(src []byte, fc *ast.FencedCodeBlock) int {
	var off int
	switch {
	case fc.Info != nil:
		off = fc.Info.Segment.Start
	case fc.Lines().Len() > 0:
		off = fc.Lines().At(0).Start - 1 // the line before the first content line
	}
	return 1 + bytes.Count(src[:max(0, off)], []byte("\n"))
}

// plainText is the text of an inline container such as a heading.
func plainText(n ast.Node, src []byte) string {
	var b strings.Builder
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() {
				b.WriteByte(' ')
			}
		}
		if s, ok := c.(*ast.String); ok && entering {
			b.Write(s.Value)
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}
