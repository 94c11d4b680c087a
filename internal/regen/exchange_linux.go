package regen

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps the names a and b, both existing, in one atomic step with
// renameat2(RENAME_EXCHANGE); on a file system without it, with renames.
func exchange(a, b string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return exchangeByRename(a, b)
	}
	if err != nil {
		return &linkError{"exchange", a, b, err}
	}
	return nil
}
