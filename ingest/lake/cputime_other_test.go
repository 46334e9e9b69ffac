//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package lake

import "time"

// cpuTime is not measured on this system.
func cpuTime() (time.Duration, bool) { return 0, false }
