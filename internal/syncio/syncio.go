// Package syncio holds the writer that the binaries and the health
// monitor share between goroutines: the monitor, its reloads, the etcd
// sink and the proto watcher all report to one standard error.
package syncio

import (
	"io"
	"sync"
)

// Writer writes to W one Write at a time, so that lines written from
// several goroutines do not interleave.
type Writer struct {
	mu sync.Mutex
	w  io.Writer
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write writes p to the underlying writer while holding the lock.
func (l *Writer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
