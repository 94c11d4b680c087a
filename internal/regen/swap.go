package regen

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// previousDir is the state directory's subdirectory that holds the
// generation the last Apply or Restore replaced.
const previousDir = "previous"

// manifestName names the file in previousDir that lists its directories.
const manifestName = "generation.json"

// manifest lists the output directories of a saved generation.
type manifest struct {
	Outputs []string `json:"outputs"`
}

// linkError is a failed rename or exchange of two paths.
type linkError struct {
	op, from, to string
	err          error
}

func (e *linkError) Error() string {
	msg := fmt.Sprintf("%s %s %s: %v", e.op, e.from, e.to, e.err)
	if errors.Is(e.err, syscall.EXDEV) {
		msg += " (the state directory must be on the same file system as the output; see --state)"
	}
	return msg
}

func (e *linkError) Unwrap() error { return e.err }

func rename(from, to string) error {
	if err := os.Rename(from, to); err != nil {
		var le *os.LinkError
		if errors.As(err, &le) {
			err = le.Err
		}
		return &linkError{"rename", from, to, err}
	}
	return nil
}

// exchangeByRename swaps a and b with three renames. Between the first two,
// b does not exist; no file is ever partly written.
func exchangeByRename(a, b string) error {
	aside := b + ".regen-swap"
	if err := rename(b, aside); err != nil {
		return err
	}
	if err := rename(a, b); err != nil {
		if rerr := rename(aside, b); rerr != nil {
			return fmt.Errorf("%v; and putting %s back failed: %v", err, b, rerr)
		}
		return err
	}
	return rename(aside, a)
}

// Apply replaces the output directories with the staged generation, each
// with one atomic exchange (see the package documentation), and keeps the
// replaced directories as the previous generation for Restore. On error the
// output directories are those of before the call. The staging directory is
// removed either way. It takes away whatever the output directories hold
// that the generation does not write: Drift.Apply first refuses when that
// includes files that do not look generated.
func (gen *Generation) Apply() error {
	defer gen.Discard()
	g := gen.g
	unlock, err := lockFile(filepath.Join(g.state, "lock"))
	if err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	defer unlock()
	saved, err := os.MkdirTemp(g.state, "saving-")
	if err != nil {
		return fmt.Errorf("state directory: %w", err)
	}
	if err := moveIn(g.dir, g.outputs, gen.Root, saved); err != nil {
		os.RemoveAll(saved)
		return err
	}
	return savePrevious(g.state, saved, g.outputs)
}

// Restore exchanges the output directories with the previous generation,
// the one the last Apply (or Restore) replaced, and returns the directories
// it restored. The replaced generation becomes the previous one, so a second
// Restore undoes the first.
func (g *Generator) Restore() ([]string, error) {
	if err := g.prepareState(); err != nil {
		return nil, err
	}
	unlock, err := lockFile(filepath.Join(g.state, "lock"))
	if err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	defer unlock()
	prev := filepath.Join(g.state, previousDir)
	data, err := os.ReadFile(filepath.Join(prev, manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no previous generation in %s: nothing was replaced yet", g.state)
	} else if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(prev, manifestName), err)
	}
	if _, err := cleanOutputs(m.Outputs); err != nil || len(m.Outputs) == 0 {
		return nil, fmt.Errorf("%s: bad output list %q", filepath.Join(prev, manifestName), m.Outputs)
	}
	// The saved directories move into the working tree, and the working
	// tree's into a fresh save, exactly as Apply moves a staged generation.
	saved, err := os.MkdirTemp(g.state, "saving-")
	if err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	if err := moveIn(g.dir, m.Outputs, prev, saved); err != nil {
		os.RemoveAll(saved)
		return nil, err
	}
	if err := savePrevious(g.state, saved, m.Outputs); err != nil {
		return nil, err
	}
	return m.Outputs, nil
}

// moveIn replaces dir/D with src/D for each output D, moving the replaced
// directory to saved/D (an empty directory stands for one that did not
// exist). If any step fails, the directories already replaced are put back.
func moveIn(dir string, outputs []string, src, saved string) error {
	var done []string
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			d := done[i]
			// Best effort: the replaced directory comes back, and the
			// replacement goes back to src (Restore must not lose it).
			if exchange(filepath.Join(saved, d), filepath.Join(dir, d)) == nil {
				rename(filepath.Join(saved, d), filepath.Join(src, d))
			}
		}
	}
	for _, d := range outputs {
		from, to, keep := filepath.Join(src, d), filepath.Join(dir, d), filepath.Join(saved, d)
		if err := os.MkdirAll(filepath.Dir(keep), 0o755); err != nil {
			undo()
			return err
		}
		if _, err := os.Stat(from); err != nil {
			undo()
			return err
		}
		info, err := os.Lstat(to)
		switch {
		case err == nil && !info.IsDir():
			undo()
			return fmt.Errorf("output %s exists and is not a directory", d)
		case err == nil:
			if err := exchange(from, to); err != nil {
				undo()
				return fmt.Errorf("replace output %s: %w", d, err)
			}
			if err := rename(from, keep); err != nil {
				exchange(from, to)
				undo()
				return fmt.Errorf("replace output %s: %w", d, err)
			}
		case errors.Is(err, os.ErrNotExist):
			if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
				undo()
				return fmt.Errorf("create output %s: %w", d, err)
			}
			if err := rename(from, to); err != nil {
				undo()
				return fmt.Errorf("create output %s: %w", d, err)
			}
			if err := os.Mkdir(keep, 0o755); err != nil {
				rename(to, from)
				undo()
				return err
			}
		default:
			undo()
			return fmt.Errorf("output %s: %w", d, err)
		}
		done = append(done, d)
	}
	return nil
}

// savePrevious makes saved the state directory's previous generation. The
// output is already replaced when it runs, so on failure it keeps saved
// where it is and says so: it holds the only copy of what was replaced.
func savePrevious(state, saved string, outputs []string) error {
	data, err := json.MarshalIndent(manifest{Outputs: outputs}, "", "  ")
	if err == nil {
		err = os.WriteFile(filepath.Join(saved, manifestName), append(data, '\n'), 0o644)
	}
	prev := filepath.Join(state, previousDir)
	if _, lerr := os.Lstat(prev); err == nil && lerr == nil {
		// The lock is held, so a fresh name stays free between MkdirTemp's
		// check and the rename (os.Rename never replaces a directory).
		var old string
		if old, err = os.MkdirTemp(state, "discard-"); err == nil {
			os.Remove(old)
			if err = rename(prev, old); err == nil {
				defer os.RemoveAll(old)
			}
		}
	}
	if err == nil {
		err = rename(saved, prev)
	}
	if err != nil {
		return fmt.Errorf("the output was replaced, but saving what it replaced as the previous generation failed (it is in %s): %w", saved, err)
	}
	return nil
}

// PreviousDir returns the directory that holds the previous generation: the
// output directory D was saved as PreviousDir()/D.
func (g *Generator) PreviousDir() string { return filepath.Join(g.state, previousDir) }
