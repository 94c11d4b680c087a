package regen_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/internal/regen"
	"github.com/ovasabi/protoc-gen-registration/internal/regen/regentest"
)

// watchHarness runs regen.Watch on a temporary tree and records its runs.
type watchHarness struct {
	t    *testing.T
	dir  string
	runs chan []string
	stop func()
	done chan error

	mu       sync.Mutex
	active   int
	overlaps int
}

func startWatch(t *testing.T, debounce, runTime time.Duration) *watchHarness {
	t.Helper()
	dir := t.TempDir()
	regentest.WriteFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Get"))
	regentest.WriteFile(t, filepath.Join(dir, "buf.gen.yaml"), "version: v2\n")
	if err := os.MkdirAll(filepath.Join(dir, "protos/gen"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := &watchHarness{t: t, dir: dir, runs: make(chan []string, 10000), done: make(chan error, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	go func() {
		h.done <- regen.Watch(ctx, regen.WatchConfig{
			Base:     dir,
			Roots:    []string{filepath.Join(dir, "protos")},
			Files:    []string{filepath.Join(dir, "buf.gen.yaml")},
			Exclude:  []string{filepath.Join(dir, "protos/gen")},
			Debounce: debounce,
			Log:      func(msg string) { t.Log(msg) },
		}, func(ctx context.Context, changed []string) {
			h.mu.Lock()
			h.active++
			if h.active > 1 {
				h.overlaps++
			}
			h.mu.Unlock()
			select {
			case <-time.After(runTime):
			case <-ctx.Done():
			}
			h.mu.Lock()
			h.active--
			h.mu.Unlock()
			h.runs <- changed
		})
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-h.done:
			if err != nil {
				t.Errorf("Watch: %v", err)
			}
		case <-time.After(regentest.WaitLimit):
			t.Errorf("Watch did not return after cancel")
		}
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.overlaps != 0 {
			t.Errorf("%d runs overlapped", h.overlaps)
		}
	})
	if got := h.next(); len(got) != 0 {
		t.Fatalf("initial run with changes %v", got)
	}
	return h
}

// next waits for the next run and returns its changed paths.
func (h *watchHarness) next() []string {
	h.t.Helper()
	select {
	case changed := <-h.runs:
		return changed
	case <-time.After(regentest.WaitLimit):
		h.t.Fatalf("no run within %v", regentest.WaitLimit)
		return nil
	}
}

// expect waits for a run whose changes include want or, when want ends in
// "/...", a path under it: a new directory's run names the directory, or
// the files that the watch on it saw arrive, depending on timing.
func (h *watchHarness) expect(want string) []string {
	h.t.Helper()
	deadline := time.After(regentest.WaitLimit)
	for {
		select {
		case changed := <-h.runs:
			if slices.ContainsFunc(changed, func(c string) bool {
				dir, tree := strings.CutSuffix(want, "/...")
				return c == want || tree && (c == dir || strings.HasPrefix(c, dir+"/"))
			}) {
				return changed
			}
		case <-deadline:
			h.t.Fatalf("no run with %s changed within %v", want, regentest.WaitLimit)
			return nil
		}
	}
}

func (h *watchHarness) path(rel string) string { return filepath.Join(h.dir, rel) }

// TestWatchFollowsTree edits, creates, deletes and renames protos, also in
// new subdirectories, and checks that each leads to a run that names it,
// and that other files and the output directory do not.
func TestWatchFollowsTree(t *testing.T) {
	h := startWatch(t, 50*time.Millisecond, 0)

	regentest.WriteFile(t, h.path("protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Get", "List"))
	h.expect("protos/a/v1/a.proto")

	// A new subdirectory with a proto written before the watch on it can
	// exist: the directory's creation triggers the run.
	regentest.WriteFile(t, h.path("protos/n/v1/n.proto"), regentest.ServiceProto("n.v1", "New", "Do"))
	h.expect("protos/n/...")
	// And it is watched from now on.
	regentest.WriteFile(t, h.path("protos/n/v1/n.proto"), regentest.ServiceProto("n.v1", "New", "Do", "Undo"))
	h.expect("protos/n/v1/n.proto")

	// Rename the directory: its new name is watched, not the old one.
	if err := os.Rename(h.path("protos/n"), h.path("protos/m")); err != nil {
		t.Fatal(err)
	}
	h.expect("protos/m/...")
	regentest.WriteFile(t, h.path("protos/m/v1/n.proto"), regentest.ServiceProto("n.v1", "New", "Do"))
	changed := h.expect("protos/m/v1/n.proto")
	for _, c := range changed {
		if strings.HasPrefix(c, "protos/n/") {
			t.Errorf("a change reported under the old name: %v", changed)
		}
	}

	// Rename a file, then delete it.
	if err := os.Rename(h.path("protos/m/v1/n.proto"), h.path("protos/m/v1/renamed.proto")); err != nil {
		t.Fatal(err)
	}
	h.expect("protos/m/v1/renamed.proto")
	if err := os.Remove(h.path("protos/m/v1/renamed.proto")); err != nil {
		t.Fatal(err)
	}
	h.expect("protos/m/v1/renamed.proto")

	// Files that are not protos or configuration, and the output
	// directory, do not count: they are written first, and the run that
	// the proto after them triggers must not name them.
	regentest.WriteFile(t, h.path("protos/notes.txt"), "not a proto")
	regentest.WriteFile(t, h.path("protos/gen/out.proto"), "generated")
	regentest.WriteFile(t, h.path("protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Get"))
	changed = h.expect("protos/a/v1/a.proto")
	if slices.Contains(changed, "protos/notes.txt") || slices.Contains(changed, "protos/gen/out.proto") {
		t.Errorf("run for ignored files: %v", changed)
	}

	// Configuration files outside the tree.
	regentest.WriteFile(t, h.path("buf.gen.yaml"), "version: v2\n# changed\n")
	h.expect("buf.gen.yaml")

	// The whole tree goes away and comes back.
	if err := os.RemoveAll(h.path("protos")); err != nil {
		t.Fatal(err)
	}
	h.expect("protos")
	regentest.WriteFile(t, h.path("protos/b/v1/b.proto"), regentest.ServiceProto("b.v1", "Beta", "Ping"))
	h.expect("protos/...")
	regentest.WriteFile(t, h.path("protos/b/v1/b.proto"), regentest.ServiceProto("b.v1", "Beta", "Ping", "Pong"))
	h.expect("protos/b/v1/b.proto")
}

// TestWatchBurst: 1,000 changes in a burst lead to few runs.
func TestWatchBurst(t *testing.T) {
	h := startWatch(t, 200*time.Millisecond, 0)
	for i := range 1000 {
		regentest.WriteFile(t, h.path(fmt.Sprintf("protos/burst/f%d.proto", i%10)), regentest.ServiceProto("burst", "Burst", fmt.Sprintf("M%d", i)))
	}
	// Runs after the burst, until one names the last file written.
	runs := 0
	deadline := time.After(regentest.WaitLimit)
	for done := false; !done; {
		select {
		case changed := <-h.runs:
			runs++
			done = slices.Contains(changed, "protos/burst/f9.proto")
		case <-deadline:
			t.Fatalf("no run for the end of the burst after %d runs", runs)
		}
	}
	// Writing 1,000 small files takes far less than 200ms on a quiet
	// machine; allow a pause or two on a busy one.
	if runs > 3 {
		t.Errorf("%d runs for a burst of 1,000 changes, want at most 3", runs)
	}
	t.Logf("%d runs for 1,000 changes", runs)
}

// TestWatchNoOverlap: changes during a slow run lead to one more run after
// it, never to a second run at the same time (the harness counts overlaps).
func TestWatchNoOverlap(t *testing.T) {
	h := startWatch(t, 20*time.Millisecond, 300*time.Millisecond)
	regentest.WriteFile(t, h.path("protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "One"))
	time.Sleep(100 * time.Millisecond) // the run for One is in flight
	regentest.WriteFile(t, h.path("protos/a/v1/a.proto"), regentest.ServiceProto("a.v1", "Alpha", "Two"))
	h.expect("protos/a/v1/a.proto")
	h.expect("protos/a/v1/a.proto")
}
