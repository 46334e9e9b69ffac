package transform

import "errors"

// ErrNoWarehouse means the warehouse file does not exist yet; the error wrapping it names
// the path and the command that builds it.
var ErrNoWarehouse = errors.New("no warehouse")

// ErrReadOnly means Refresh was called on a warehouse opened with OpenReadOnly. (A
// statement that would change the warehouse fails with ErrRefused.)
var ErrReadOnly = errors.New("the warehouse is opened read-only")

// ErrRefused means the sandbox did not run a statement because it would write a file or
// a database, change a setting, load an extension or read a path not allowed; the
// *RefusedError wrapping it says what to do instead. Nothing was changed.
var ErrRefused = errors.New("refused")

// ErrLocked means another process holds the warehouse file open for writing.
var ErrLocked = errors.New("the warehouse is in use by another process")

// ErrLakeSchema means the Parquet files of a lake table lack a column the warehouse needs.
var ErrLakeSchema = errors.New("the lake files do not match the warehouse schema")

// ErrUnknownFormat means a result format name is not one of Formats().
var ErrUnknownFormat = errors.New("unknown format")

// ErrUnreadableLakeFile means DuckDB could not read a lake file; the refresh left it out
// and committed the rest (see UnreadableFilesError).
var ErrUnreadableLakeFile = errors.New("a lake file cannot be read")
