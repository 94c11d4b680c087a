//go:build unix

package health

import "syscall"

// openFileLimit is how many files this process may open: the soft limit,
// which Go raises to the hard limit at start-up.
func openFileLimit() int {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil || l.Cur > 1<<30 {
		return 0
	}
	return int(l.Cur)
}
