package regen

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// DefaultDebounce is how long Watch waits after the last change before it
// runs.
const DefaultDebounce = 300 * time.Millisecond

// WatchExtensions are the file name extensions under the watched roots that
// trigger a run: protos and the YAML files that configure generation
// (capability rules, HTTP rules, buf's own files).
var WatchExtensions = []string{".proto", ".yaml", ".yml"}

// WatchConfig says what Watch watches.
type WatchConfig struct {
	// Base is the directory that changed paths are reported relative to.
	Base string
	// Roots are directories watched recursively, with every directory
	// created in them later. A root that does not exist, or is removed, is
	// watched for from its parent and picked up when it appears.
	Roots []string
	// Files are single files watched wherever they are, such as the buf
	// template and buf.yaml.
	Files []string
	// Exclude are directories never watched: the output directories (so
	// that writing the output does not trigger a run) and the state
	// directory. .git directories are always excluded.
	Exclude []string
	// Debounce is how long to wait after the last change; zero means
	// DefaultDebounce.
	Debounce time.Duration
	// Log receives notices: a watch that could not be added, lost events.
	Log func(msg string)
}

// Watch runs run once at the start, with no changes, and then after every
// burst of changes: when Debounce has passed since the last change, with
// the changed paths sorted. Runs never overlap; changes during a run lead
// to one more run after it. Watch returns when ctx is done, after the run
// in flight (which gets ctx, so it can stop early) has returned.
func Watch(ctx context.Context, cfg WatchConfig, run func(ctx context.Context, changed []string)) error {
	if cfg.Debounce <= 0 {
		cfg.Debounce = DefaultDebounce
	}
	if cfg.Log == nil {
		cfg.Log = func(string) {}
	}
	fw, err := fsnotify.NewBufferedWatcher(4096)
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	defer fw.Close()
	w := &watcher{cfg: cfg, fw: fw, dirs: map[string]bool{}, files: map[string]bool{}}
	if err := w.setup(); err != nil {
		return err
	}

	pending := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var timerC <-chan time.Time
	runDone := make(chan struct{})
	running, due := false, false
	start := func() {
		changed := make([]string, 0, len(pending))
		for p := range pending {
			changed = append(changed, p)
		}
		slices.Sort(changed)
		clear(pending)
		running = true
		go func() {
			run(ctx, changed)
			runDone <- struct{}{}
		}()
	}
	start()
	for {
		select {
		case <-ctx.Done():
			if running {
				<-runDone
			}
			return nil
		case ev, ok := <-fw.Events:
			if !ok {
				return errors.New("watch: the file system watcher stopped")
			}
			if w.handle(ev) {
				pending[w.rel(ev.Name)] = true
				timer.Reset(cfg.Debounce)
				timerC = timer.C
			}
		case err, ok := <-fw.Errors:
			if !ok {
				return errors.New("watch: the file system watcher stopped")
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// Changes were lost: regenerate to be sure.
				cfg.Log("too many changes at once, some events were lost: regenerating")
				pending["(events lost)"] = true
				timer.Reset(cfg.Debounce)
				timerC = timer.C
			} else {
				cfg.Log(err.Error())
			}
		case <-timerC:
			timerC = nil
			if running {
				due = true
			} else {
				start()
			}
		case <-runDone:
			running = false
			if due {
				due = false
				start()
			}
		}
	}
}

// watcher keeps the set of watched directories.
type watcher struct {
	cfg   WatchConfig
	fw    *fsnotify.Watcher
	roots []string        // absolute, cleaned
	dirs  map[string]bool // directories watched for everything in them
	files map[string]bool // single files (and roots) watched from their parent
}

func (w *watcher) setup() error {
	exclude := make([]string, 0, len(w.cfg.Exclude))
	for _, e := range w.cfg.Exclude {
		abs, err := filepath.Abs(e)
		if err != nil {
			return err
		}
		exclude = append(exclude, abs)
	}
	w.cfg.Exclude = exclude
	for _, r := range w.cfg.Roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			return err
		}
		w.roots = append(w.roots, abs)
		w.files[abs] = true
	}
	for _, f := range w.cfg.Files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return err
		}
		w.files[abs] = true
	}
	// Parents first, so that a root removed while its tree is being added
	// is seen.
	parents := map[string]bool{}
	for f := range w.files {
		parents[filepath.Dir(f)] = true
	}
	for _, p := range sortedKeys(parents) {
		if err := w.fw.Add(p); err != nil {
			w.cfg.Log(fmt.Sprintf("cannot watch %s: %v", w.rel(p), err))
		}
	}
	for _, r := range w.roots {
		if _, err := w.addTree(r); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("watch %s: %w", w.rel(r), err)
		}
	}
	return nil
}

// addTree watches dir and every directory below it that is not excluded,
// and reports whether it holds a file that triggers runs.
func (w *watcher) addTree(dir string) (bool, error) {
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != dir && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission)) {
				// Removed meanwhile, or unreadable: skip it, keep the rest.
				if errors.Is(err, fs.ErrPermission) {
					w.cfg.Log(fmt.Sprintf("cannot watch %s: %v", w.rel(path), err))
				}
				return nil
			}
			return err
		}
		if !d.IsDir() {
			if w.relevant(path) {
				found = true
			}
			return nil
		}
		if w.excluded(path) {
			return filepath.SkipDir
		}
		if err := w.fw.Add(path); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			w.cfg.Log(fmt.Sprintf("cannot watch %s: %v", w.rel(path), err))
			return filepath.SkipDir
		}
		w.dirs[path] = true
		return nil
	})
	return found, err
}

// forgetTree stops watching dir and the directories below it: it was
// removed or renamed, and a renamed directory's watches would report the old
// names.
func (w *watcher) forgetTree(dir string) {
	for d := range w.dirs {
		if within(d, dir) {
			w.fw.Remove(d) // may be gone already
			delete(w.dirs, d)
		}
	}
}

// handle updates the watches for an event and reports whether it should
// trigger a run.
func (w *watcher) handle(ev fsnotify.Event) bool {
	name := filepath.Clean(ev.Name)
	if ev.Op == fsnotify.Chmod || w.excluded(name) {
		return false
	}
	inRoot := w.inRoot(name)
	single := w.files[name]
	if !inRoot && !single {
		return false
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		if w.dirs[name] {
			w.forgetTree(name)
			return true
		}
		return single || w.relevant(name)
	}
	if ev.Has(fsnotify.Create) {
		if info, err := os.Lstat(name); err == nil && info.IsDir() {
			// A new directory (or one renamed into the tree): watch it, and
			// run if files arrived in it before the watch did.
			found, err := w.addTree(name)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				w.cfg.Log(fmt.Sprintf("cannot watch %s: %v", w.rel(name), err))
			}
			return found || single
		}
	}
	return single || w.relevant(name)
}

// relevant reports whether a file's changes trigger runs.
func (w *watcher) relevant(path string) bool {
	return slices.Contains(WatchExtensions, strings.ToLower(filepath.Ext(path))) || w.files[path]
}

func (w *watcher) inRoot(path string) bool {
	for _, r := range w.roots {
		if within(path, r) {
			return true
		}
	}
	return false
}

func (w *watcher) excluded(path string) bool {
	if filepath.Base(path) == ".git" {
		return true
	}
	for _, e := range w.cfg.Exclude {
		if within(path, e) {
			return true
		}
	}
	return false
}

// rel returns path relative to Base when it is inside it.
func (w *watcher) rel(path string) string {
	if w.cfg.Base == "" {
		return path
	}
	return displayPath(w.cfg.Base, path)
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
