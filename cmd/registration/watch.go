package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/regen"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/compare"
)

const watchDescription = `watch regenerates whenever a proto changes. It watches each PROTO_DIR
recursively, directories created later included (default: the template's
inputs and the modules of buf.yaml or buf.work.yaml, else --dir), for
changes to .proto, .yaml and .yml files, and the buf template, buf.yaml,
buf.work.yaml, buf.lock and the files that plugin options name. After
--debounce without a change it generates into a staging directory; only a
fully successful run replaces the output directories, each atomically, so
a failed run keeps the last good output, prints the error (file:line from
protoc or buf) and the next good run recovers. After each run it prints the
files that changed and what changed in the registrations (services,
methods, bindings...), as "registration compare" does. It runs once at the
start, never runs twice at once (changes during a run start one more run
after it), and stops on SIGINT or SIGTERM, cancelling the run in flight.
Its output is a log of runs, with no --format.

The generation it replaced is kept: "registration check --restore" swaps
it back.

` + regenHelp

const watchExit = `
Exit status:
  0  stopped by SIGINT or SIGTERM
  1  bad arguments, or what watching needs is missing: buf, a proto tree,
     the working directory; a proto tree inside an output directory
`

// maxPrinted bounds the lines of file and registration changes printed
// after one run.
const maxPrinted = 40

func watchCommand() *cobra.Command {
	var regenOpts *regenOptions
	var debounce time.Duration
	cmd := &cobra.Command{
		Use:   "watch [flags] [PROTO_DIR...]",
		Short: "Regenerate whenever a proto changes; replace the output only after a good run",
		Long:  watchDescription,
		Example: `  registration watch
  registration watch proto --debounce 1s
  registration watch --cmd 'make generate OUT="$REGISTRATION_OUT"' --output gen`,
		GroupID:     genGroup,
		Annotations: map[string]string{topicsKey: watchExit},
		RunE: func(cmd *cobra.Command, dirs []string) error {
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return watchProtos(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), regenOpts, debounce, dirs)
		},
	}
	regenOpts = addRegenFlags(cmd)
	cmd.Flags().DurationVar(&debounce, "debounce", regen.DefaultDebounce, "wait this long after the last change before generating")
	return cmd
}

// watchProtos regenerates on every change to the proto trees dirs until
// ctx is done.
func watchProtos(ctx context.Context, stdout, stderr io.Writer, opts *regenOptions, debounce time.Duration, dirs []string) error {
	if debounce <= 0 {
		return fmt.Errorf("flag --debounce=%v: want a positive duration", debounce)
	}
	g, err := opts.generator()
	if err != nil {
		return err
	}
	if err := g.CheckTool(); err != nil {
		return err
	}
	roots, err := watchRoots(g, dirs)
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
			if r == e || strings.HasPrefix(r, e+string(filepath.Separator)) {
				return fmt.Errorf("proto tree %s is inside output directory %s, which generation replaces whole", displayPath(g.Dir(), r), displayPath(g.Dir(), e))
			}
		}
	}

	out := &lockedWriter{w: stdout}
	errOut := &lockedWriter{w: stderr}
	var shown []string
	for _, r := range roots {
		shown = append(shown, displayPath(g.Dir(), r))
	}
	fmt.Fprintf(out, "registration watch: watching %s; output %s; generating with %s\n",
		strings.Join(shown, ", "), strings.Join(g.Outputs(), ", "), g.Describe())
	w := &watchRun{g: g, stdout: out, stderr: errOut}
	err = regen.Watch(ctx, regen.WatchConfig{
		Base:     g.Dir(),
		Roots:    roots,
		Files:    watchFiles(g),
		Exclude:  exclude,
		Debounce: debounce,
		Log:      func(msg string) { fmt.Fprintf(errOut, "registration watch: %s\n", msg) },
	}, w.run)
	if err != nil {
		return err
	}
	fmt.Fprintln(out, "registration watch: stopped")
	return nil
}

// watchRoots returns the proto trees to watch, absolute: the arguments, or
// the template's inputs and the workspace's modules, or the working
// directory. Each must exist.
func watchRoots(g *regen.Generator, args []string) ([]string, error) {
	dirs := slices.Clone(args)
	if len(dirs) == 0 {
		if t := g.Template(); t != nil {
			dirs = append(dirs, t.Inputs...)
		}
		ws, err := regen.WorkspaceDirs(g.Dir())
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

// watchFiles returns the configuration files whose changes trigger a run
// wherever they are.
func watchFiles(g *regen.Generator) []string {
	files := []string{g.TemplatePath(), "buf.yaml", "buf.work.yaml", "buf.lock"}
	if t := g.Template(); t != nil {
		files = append(files, t.Files...)
	}
	for i, f := range files {
		files[i] = filepath.Join(g.Dir(), f)
	}
	return files
}

// watchRun is one watch session's run function and its output.
type watchRun struct {
	g              *regen.Generator
	stdout, stderr io.Writer
	runs           int
}

// run generates, replaces the output when the generation succeeded and
// changed it, and prints what happened. It is never called concurrently.
func (w *watchRun) run(ctx context.Context, changed []string) {
	w.runs++
	if len(changed) == 0 {
		fmt.Fprintf(w.stdout, "registration watch: run %d: generating\n", w.runs)
	} else {
		fmt.Fprintf(w.stdout, "registration watch: run %d: %s changed: generating\n", w.runs, summarizePaths(changed))
	}
	gen, err := w.g.Generate(ctx)
	if err != nil {
		if ctx.Err() != nil {
			fmt.Fprintf(w.stdout, "registration watch: run %d cancelled; the output keeps its last generation\n", w.runs)
			return
		}
		fmt.Fprintf(w.stderr, "registration watch: run %d failed; keeping the last good output:\n%v\n", w.runs, err)
		return
	}
	defer gen.Discard()
	if len(gen.Log) > 0 {
		w.stderr.Write(gen.Log)
	}
	current, err := regen.ReadTree(w.g.Dir(), w.g.Outputs())
	if err != nil {
		fmt.Fprintf(w.stderr, "registration watch: run %d: read the output: %v\n", w.runs, err)
		return
	}
	generated, err := gen.Tree()
	if err != nil {
		fmt.Fprintf(w.stderr, "registration watch: run %d: read the generation: %v\n", w.runs, err)
		return
	}
	files := regen.Diff(current, generated)
	if len(files) == 0 {
		fmt.Fprintf(w.stdout, "registration watch: run %d: output unchanged (%v)\n", w.runs, gen.Duration.Round(time.Millisecond))
		return
	}
	if err := gen.Apply(); err != nil {
		fmt.Fprintf(w.stderr, "registration watch: run %d: keeping the last good output: %v\n", w.runs, err)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "registration watch: run %d: updated %s (%v)\n", w.runs, plural(len(files), "file"), gen.Duration.Round(time.Millisecond))
	for i, f := range files {
		if i == maxPrinted {
			fmt.Fprintf(&b, "  ... and %d more files\n", len(files)-i)
			break
		}
		fmt.Fprintf(&b, "  %-8s %s\n", fixedVerb(f.Status), f.Path)
	}
	changes := compare.Registrations(treeRegistration(current), treeRegistration(generated))
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
	io.WriteString(w.stdout, b.String())
}

// treeRegistration merges every registration file of an output tree, in
// path order, into one registration, so that a service that per-file and
// aggregate output both hold is compared once (compare keeps the first).
// Other files, and files that are not registration.v1, are skipped.
func treeRegistration(t regen.Tree) *registration.Registration {
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
		r, err := registration.Unmarshal(p, t[p])
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

// displayPath returns path relative to base when it is inside it.
func displayPath(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// lockedWriter serializes writes from the watcher and the run.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
