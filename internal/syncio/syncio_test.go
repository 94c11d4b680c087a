package syncio

import (
	"bytes"
	"strings"
	"sync"
	"testing"
)

// TestWriter: writes from many goroutines to a bytes.Buffer, which is not
// safe for concurrent use, arrive whole (and race-free under -race).
func TestWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 200 {
				w.Write([]byte("a whole line\n"))
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	if len(lines) != 1600 {
		t.Fatalf("got %d lines, want 1600", len(lines))
	}
	for _, l := range lines {
		if l != "a whole line" {
			t.Fatalf("got line %q", l)
		}
	}
}
