//go:build !unix

package plugin

// openFlags is 0 where opening a FIFO cannot block the plugin in the way
// it can on Unix (see files_unix.go).
const openFlags = 0
