package notebooks

import (
	"errors"
	"fmt"
)

// ErrNoNotebook means a name is neither a shipped notebook nor a Markdown file.
var ErrNoNotebook = errors.New("no such notebook")

// ErrChart means a chart block cannot be drawn from its cell's result: an unknown key,
// a missing column, a value that is not a number. The cell counts as failed.
var ErrChart = errors.New("chart")

// SyntaxError is a notebook that cannot be parsed, with the line at fault.
type SyntaxError struct {
	File string
	Line int // 1-based
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }
