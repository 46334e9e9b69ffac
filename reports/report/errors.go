package report

import "errors"

// ErrLang reports a --lang value other than zh, en or both.
var ErrLang = errors.New("unknown report language")

// ErrNoEvents reports a warehouse without claimed grabs: there is nothing to
// report on, and the scale cannot be read from the data.
var ErrNoEvents = errors.New("the warehouse holds no claimed grabs; run 'hongbao demo' or ingest events first")
