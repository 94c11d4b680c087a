package regen

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
)

// ErrNoGit is returned by GitDrift outside a git work tree or without git.
var ErrNoGit = errors.New("not a git work tree")

// GitDrift returns the generated files whose content in the working tree is
// right but which git does not have as they are: Untracked files (not in
// the index; ignored files count, since a fresh clone lacks them too) and
// Uncommitted ones (different from HEAD, staged or not, including committed
// files that were deleted and that the generation no longer writes). Files
// with a content change are left out: Diff reports them. The result is
// sorted by path.
func (g *Generator) GitDrift(current, generated Tree, content []FileChange) ([]FileChange, error) {
	if _, err := g.git("rev-parse", "--is-inside-work-tree"); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoGit, err)
	}
	reported := make(map[string]bool, len(content))
	for _, c := range content {
		reported[c.Path] = true
	}
	var out []FileChange
	untracked, err := g.gitPaths(append([]string{"ls-files", "-z", "--others", "--"}, g.outputs...)...)
	if err != nil {
		return nil, err
	}
	for _, p := range untracked {
		if n, ok := generated[p]; ok && !reported[p] {
			reported[p] = true
			out = append(out, FileChange{Path: p, Status: Untracked, Old: n, New: n})
		}
	}
	var uncommitted []string
	if _, headErr := g.git("rev-parse", "--verify", "-q", "HEAD"); headErr == nil {
		uncommitted, err = g.gitPaths(append([]string{"diff", "--name-only", "--relative", "-z", "HEAD", "--"}, g.outputs...)...)
	} else {
		// No commit yet: nothing is committed, whatever the index holds.
		uncommitted, err = g.gitPaths(append([]string{"ls-files", "-z", "--cached", "--"}, g.outputs...)...)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range uncommitted {
		if reported[p] {
			continue
		}
		n, gen := generated[p]
		_, cur := current[p]
		if gen || !cur {
			reported[p] = true
			out = append(out, FileChange{Path: p, Status: Uncommitted, Old: n, New: n})
		}
	}
	slices.SortFunc(out, func(a, b FileChange) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// git runs git in the working directory and returns its stdout.
func (g *Generator) git(args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", g.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return out, nil
}

// gitPaths runs a git command that prints NUL-terminated paths.
func (g *Generator) gitPaths(args ...string) ([]string, error) {
	out, err := g.git(args...)
	if err != nil {
		return nil, err
	}
	var paths []string
	for p := range strings.SplitSeq(string(out), "\x00") {
		if p != "" {
			paths = append(paths, p)
		}
	}
	return paths, nil
}
