package transform

import "errors"

// ErrNoWarehouse means the warehouse file does not exist yet; the error wrapping it names
// the path and the command that builds it.
var ErrNoWarehouse = errors.New("no warehouse")

// ErrReadOnly means Refresh was called on a warehouse opened with OpenReadOnly. (A
// statement that would change the warehouse fails with query.ErrRefused.)
var ErrReadOnly = errors.New("the warehouse is opened read-only")

// ErrLocked means another process holds the warehouse file open for writing.
var ErrLocked = errors.New("the warehouse is in use by another process")

// ErrLakeSchema means the Parquet files of a lake table lack a column of the lake
// contract, or have one it lacks.
var ErrLakeSchema = errors.New("the lake files do not match the warehouse schema")

// ErrLakeMismatch means the rows loaded from a lake file, or the money in them, are not
// what the file's commit marker records.
var ErrLakeMismatch = errors.New("the lake files do not match their commit markers")

// ErrUnreadableLakeFile means DuckDB could not read a lake file; the refresh left it out
// and committed the rest (see UnreadableFilesError).
var ErrUnreadableLakeFile = errors.New("a lake file cannot be read")

// ErrLakeElsewhere means the warehouse's views read the lake of another folder: the data
// folder was moved or copied since its last refresh, and 'hongbao transform' points the
// views at the lake beside the warehouse again.
var ErrLakeElsewhere = errors.New("the warehouse reads another folder's lake")
