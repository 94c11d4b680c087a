//go:build !unix

package plugin

import "errors"

// makeFIFO fails: named pipes are made only on Unix.
func makeFIFO(path string) error { return errors.ErrUnsupported }
