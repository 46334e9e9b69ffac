//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package lake

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// lockFile takes an exclusive flock on path, creating the file. It tries again for
// up to wait while another holder has the lock, and returns got = false if the lock
// stayed taken. The lock belongs to the open file, so it also excludes a second lock
// in the same process, and the kernel drops it when the process dies.
func lockFile(path string, wait time.Duration) (f *os.File, got bool, err error) {
	f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, false, err
	}
	deadline := time.Now().Add(wait)
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, err
	}
	return f, true, nil
}

// unlockFile releases a lock taken by lockFile.
func unlockFile(f *os.File) { f.Close() }
