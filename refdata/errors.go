package refdata

import (
	"errors"
	"fmt"
)

// ErrNoRows means a reference file has a header but no data rows.
var ErrNoRows = errors.New("no data rows")

// ParseError is a problem in one line of a reference-data CSV file, such as a user's own
// bank table given to ParseBanks. Line counts from 1 and includes comment lines, as an
// editor shows them.
type ParseError struct {
	File   string // file name, if known
	Line   int    // line number, 0 if the problem is the file as a whole
	Column string // column name, if the problem is one field
	Err    error
}

func (e *ParseError) Error() string {
	msg := e.File
	if e.Line > 0 {
		if msg != "" {
			msg += " "
		}
		msg += fmt.Sprintf("line %d", e.Line)
	}
	if e.Column != "" {
		if msg != "" {
			msg += ", "
		}
		msg += "column " + e.Column
	}
	if msg == "" {
		return e.Err.Error()
	}
	return msg + ": " + e.Err.Error()
}

func (e *ParseError) Unwrap() error { return e.Err }
