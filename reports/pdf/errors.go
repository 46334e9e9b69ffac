package pdf

import "errors"

// ErrImage reports chart bytes fpdf cannot place (not a PNG it can read).
var ErrImage = errors.New("image cannot be placed")

// ErrTable reports a table whose rows do not match its columns.
var ErrTable = errors.New("table rows do not match its columns")

// ErrWritten reports content added to a document already written.
var ErrWritten = errors.New("document already written")

// ErrDiscarded is what Write and Save of a Discard document return.
var ErrDiscarded = errors.New("document discards its content")
