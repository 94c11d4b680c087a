//go:build unix

package plugin

import "syscall"

// openFlags makes opening a FIFO return at once instead of waiting for a
// writer, so that readRegular can look at what it opened and refuse it.
// Regular files ignore the flag.
const openFlags = syscall.O_NONBLOCK
