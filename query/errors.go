package query

import (
	"errors"

	"github.com/hongbao/hongbao/transform"
)

// ErrRefused means the sandbox did not run a statement because it would write a file or
// a database, change a setting, load an extension or read a path not allowed; the
// *RefusedError wrapping it says what to do instead. Nothing was changed.
var ErrRefused = errors.New("refused")

// ErrUnknownFormat means a result format name is not one of Formats().
var ErrUnknownFormat = errors.New("unknown format")

// ErrLakeElsewhere is transform.ErrLakeElsewhere: the warehouse's views read another
// folder's lake.
var ErrLakeElsewhere = transform.ErrLakeElsewhere
