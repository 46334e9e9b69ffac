//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package lake

import (
	"os"
	"time"
)

// lockFile stands in for a file lock where flock is missing: it always succeeds, so
// on these systems only one process may write a given lake.
func lockFile(path string, wait time.Duration) (*os.File, bool, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, err
	}
	return f, true, nil
}

// unlockFile releases a lock taken by lockFile.
func unlockFile(f *os.File) { f.Close() }
