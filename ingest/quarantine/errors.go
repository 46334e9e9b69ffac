package quarantine

import "errors"

// ErrNotLakeFile means a path given to Evict is not a data file of an event table of
// the lake in the data folder.
var ErrNotLakeFile = errors.New("not a data file of the lake")

// ErrReadable means Evict was asked to move a file DuckDB reads without error; evicting
// it would only hide good rows.
var ErrReadable = errors.New("DuckDB reads the file without error")

// ErrUnreadable means a lake file DuckDB cannot read stands in the way of a replay: the
// checks against the lake would miss its rows. Evict it first.
var ErrUnreadable = errors.New("a lake file cannot be read")

// ErrNoLake means the data folder holds no lake.
var ErrNoLake = errors.New("no lake")
