package regen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/ovasabi/protoc-gen-registration/internal/syncio"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
	"github.com/ovasabi/protoc-gen-registration/registration/compare"
)

// FollowConfig says what Follow watches and how it generates.
type FollowConfig struct {
	Config
	// Roots are the proto trees to watch, relative to Dir or absolute.
	// Empty means the template's inputs and the modules of buf.yaml or
	// buf.work.yaml in Dir, or Dir itself when there are none. Each must be
	// a directory, outside the output and state directories.
	Roots []string
	// Debounce is how long to wait after the last change before
	// generating; zero means DefaultDebounce.
	Debounce time.Duration
}

// maxPrinted bounds the lines of file and registration changes printed
// after one run.
const maxPrinted = 40

// Follow is "registration watch": it keeps the output directories
// following the proto trees until ctx is done. It generates at the start
// and after every burst of changes (Watch); a run that succeeds and changes
// the output replaces it (Drift.Apply, which refuses to take away files
// that do not look generated), and a run that fails keeps the last good
// output. It writes a log of runs to stdout, with the files each run
// changed and what changed in the registrations (registration/compare),
// and failures to stderr. It returns an error only for what it needs to
// start: a valid configuration, the generation tool, the proto trees.
func Follow(ctx context.Context, cfg FollowConfig, stdout, stderr io.Writer) error {
	g, err := New(cfg.Config)
	if err != nil {
		return err
	}
	if err := g.CheckTool(); err != nil {
		return err
	}
	roots, err := followRoots(g, cfg.Roots)
	if err != nil {
		return err
	}
	var exclude []string
	for _, o := range g.Outputs() {
		exclude = append(exclude, filepath.Join(g.Dir(), o))
	}
	exclude = append(exclude, g.StateDir())
	for _, r := range roots {
		for _, e := range exclude {
			if within(r, e) {
				return fmt.Errorf("proto tree %s is inside output directory %s, which generation replaces whole", displayPath(g.Dir(), r), displayPath(g.Dir(), e))
			}
		}
	}

	out := syncio.NewWriter(stdout)
	errOut := syncio.NewWriter(stderr)
	var shown []string
	for _, r := range roots {
		shown = append(shown, displayPath(g.Dir(), r))
	}
	fmt.Fprintf(out, "registration watch: watching %s; output %s; generating with %s\n",
		strings.Join(shown, ", "), strings.Join(g.Outputs(), ", "), g.Describe())
	f := &follower{g: g, stdout: out, stderr: errOut}
	err = Watch(ctx, WatchConfig{
		Base:     g.Dir(),
		Roots:    roots,
		Files:    followFiles(g),
		Exclude:  exclude,
		Debounce: cfg.Debounce,
		Log:      func(msg string) { fmt.Fprintf(errOut, "registration watch: %s\n", msg) },
	}, f.run)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "registration watch: stopped")
	return nil
}

// followRoots returns the proto trees to watch, absolute, sorted, none
// inside another: the arguments, or the template's inputs and the
// workspace's modules, or the working directory. Each must exist.
func followRoots(g *Generator, args []string) ([]string, error) {
	dirs := slices.Clone(args)
	if len(dirs) == 0 {
		if t := g.Template(); t != nil {
			dirs = append(dirs, t.Inputs...)
		}
		ws, err := WorkspaceDirs(g.Dir())
		if err != nil {
			return nil, err
		}
		dirs = append(dirs, ws...)
		if len(dirs) == 0 {
			dirs = []string{"."}
		}
	}
	var roots []string
	for _, d := range dirs {
		abs := d
		if !filepath.IsAbs(d) {
			abs = filepath.Join(g.Dir(), d)
		}
		info, err := os.Stat(abs)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("proto tree %s does not exist", d)
			}
			return nil, fmt.Errorf("proto tree %s: %v", d, err)
		}
		if !info.IsDir() {
			return nil, fmt.Errorf("proto tree %s is not a directory", d)
		}
		roots = append(roots, filepath.Clean(abs))
	}
	slices.Sort(roots)
	roots = slices.Compact(roots)
	// A root inside another is watched through it.
	var kept []string
	for _, r := range roots {
		if len(kept) > 0 && strings.HasPrefix(r, kept[len(kept)-1]+string(filepath.Separator)) {
			continue
		}
		kept = append(kept, r)
	}
	return kept, nil
}

// followFiles returns the configuration files whose changes trigger a run
// wherever they are.
func followFiles(g *Generator) []string {
	files := []string{g.TemplatePath(), "buf.yaml", "buf.work.yaml", "buf.lock"}
	if t := g.Template(); t != nil {
		files = append(files, t.Files...)
	}
	for i, f := range files {
		files[i] = filepath.Join(g.Dir(), f)
	}
	return files
}

// follower is one Follow's run function and its output.
type follower struct {
	g              *Generator
	stdout, stderr io.Writer
	runs           int
}

// run generates, replaces the output when the generation succeeded and
// changed it, and prints what happened. Watch never calls it concurrently.
func (f *follower) run(ctx context.Context, changed []string) {
	f.runs++
	if len(changed) == 0 {
		fmt.Fprintf(f.stdout, "registration watch: run %d: generating\n", f.runs)
	} else {
		fmt.Fprintf(f.stdout, "registration watch: run %d: %s changed: generating\n", f.runs, summarizePaths(changed))
	}
	gen, err := f.g.Generate(ctx)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(f.stdout, "registration watch: run %d cancelled; the output keeps its last generation\n", f.runs)
			return
		}
		fmt.Fprintf(f.stderr, "registration watch: run %d failed; keeping the last good output:\n%v\n", f.runs, err)
		return
	}
	defer gen.Discard()
	if len(gen.Log) > 0 {
		f.stderr.Write(gen.Log)
	}
	d, err := gen.Compare()
	if err != nil {
		fmt.Fprintf(f.stderr, "registration watch: run %d: %v\n", f.runs, err)
		return
	}
	if len(d.Changes) == 0 {
		fmt.Fprintf(f.stdout, "registration watch: run %d: output unchanged (%v)\n", f.runs, gen.Duration.Round(time.Millisecond))
		return
	}
	if err := d.Apply(); err != nil {
		var foreign *ForeignError
		if errors.As(err, &foreign) {
			// Changes in the output start no run (it is not watched), so
			// say what will.
			fmt.Fprintf(f.stderr, "registration watch: run %d: keeping the last good output: %v. "+
				"A run replaces an output directory whole, so they would leave the working tree: %s; then change a proto to run again\n",
				f.runs, err, foreignRemedy)
			return
		}
		fmt.Fprintf(f.stderr, "registration watch: run %d: keeping the last good output: %v\n", f.runs, err)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "registration watch: run %d: updated %s (%v)\n", f.runs, plural(len(d.Changes), "file"), gen.Duration.Round(time.Millisecond))
	for i, c := range d.Changes {
		if i == maxPrinted {
			fmt.Fprintf(&b, "  ... and %d more files\n", len(d.Changes)-i)
			break
		}
		fmt.Fprintf(&b, "  %-8s %s\n", fixedVerb(c.Status), c.Path)
	}
	changes := compare.Registrations(treeRegistration(d.Current), treeRegistration(d.Generated))
	for i, c := range changes {
		if i == maxPrinted {
			fmt.Fprintf(&b, "  ... and %d more changes\n", len(changes)-i)
			break
		}
		if c.Breaking {
			fmt.Fprintf(&b, "  BREAKING %s: %s\n", c.Rule, c.Message)
		} else {
			fmt.Fprintf(&b, "  %s: %s\n", c.Rule, c.Message)
		}
	}
	io.WriteString(f.stdout, b.String())
}

// treeRegistration merges every registration file of an output tree, in
// path order, into one registration, so that a service that per-file and
// aggregate output both hold is compared once (compare keeps the first).
// Other files, and files that are not registration documents, are skipped.
func treeRegistration(t Tree) *registration.Registration {
	paths := make([]string, 0, len(t))
	for p := range t {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
			paths = append(paths, p)
		}
	}
	slices.Sort(paths)
	merged := &registration.Registration{Format: registration.Format}
	for _, p := range paths {
		r, err := codec.Unmarshal(p, t[p])
		if err != nil {
			continue
		}
		merged.Files = append(merged.Files, r.Files...)
		merged.Services = append(merged.Services, r.Services...)
	}
	return merged
}

// summarizePaths lists a few changed paths.
func summarizePaths(paths []string) string {
	const shown = 3
	if len(paths) <= shown {
		return strings.Join(paths, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(paths[:shown], ", "), len(paths)-shown)
}
