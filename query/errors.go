package query

import "errors"

// ErrRefused means the sandbox did not run a statement because it would write a file or
// a database, change a setting, load an extension or read a path not allowed; the
// *RefusedError wrapping it says what to do instead. Nothing was changed.
var ErrRefused = errors.New("refused")

// ErrUnknownFormat means a result format name is not one of Formats().
var ErrUnknownFormat = errors.New("unknown format")

// ErrLakeElsewhere means the warehouse's views read the lake of another folder: the data
// folder was moved or copied since its last refresh, and 'hongbao transform' points the
// views at the lake beside the warehouse again.
var ErrLakeElsewhere = errors.New("the warehouse reads another folder's lake")
