package regen

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
)

// Tree is the content of output directories: file path, relative to the
// working (or staging) directory with slashes, to content. A symbolic link
// is its target, prefixed with "symlink to ".
type Tree map[string][]byte

// ReadTree reads every file under root/D for each output directory D. A
// missing directory reads as empty.
func ReadTree(root string, outputs []string) (Tree, error) {
	t := Tree{}
	for _, o := range outputs {
		base := filepath.Join(root, o)
		err := filepath.WalkDir(base, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if path == base && errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			switch {
			case d.Type().IsRegular():
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				t[filepath.ToSlash(rel)] = data
			case d.Type()&fs.ModeSymlink != 0:
				target, err := os.Readlink(path)
				if err != nil {
					return err
				}
				t[filepath.ToSlash(rel)] = []byte("symlink to " + target)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Status is how a generated file differs from the working tree.
type Status string

// The statuses of a FileChange. Changed, Missing and Stale are differences
// of content, which Apply repairs; Untracked and Uncommitted are files whose
// content is right but which git does not have as it is.
const (
	// Changed: the file's content differs from the generation's.
	Changed Status = "changed"
	// Missing: the generation writes the file; the working tree lacks it.
	Missing Status = "missing"
	// Stale: the working tree has the file; the generation no longer
	// writes it.
	Stale Status = "stale"
	// Untracked: the file is right but git does not track it.
	Untracked Status = "untracked"
	// Uncommitted: the file is right but differs from the last commit.
	Uncommitted Status = "uncommitted"
)

// FileChange is one file that differs.
type FileChange struct {
	// Path is relative to the working directory, with slashes.
	Path   string
	Status Status
	// Old is the working tree's content (nil when Missing), New the
	// generation's (nil when Stale).
	Old, New []byte
}

// Diff returns the files of the output directories that differ between the
// working tree (current) and a generation, sorted by path.
func Diff(current, generated Tree) []FileChange {
	var out []FileChange
	for p, n := range generated {
		o, ok := current[p]
		switch {
		case !ok:
			out = append(out, FileChange{Path: p, Status: Missing, New: n})
		case !bytes.Equal(o, n):
			out = append(out, FileChange{Path: p, Status: Changed, Old: o, New: n})
		}
	}
	for p, o := range current {
		if _, ok := generated[p]; !ok {
			out = append(out, FileChange{Path: p, Status: Stale, Old: o})
		}
	}
	slices.SortFunc(out, func(a, b FileChange) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// UnifiedDiff returns the change as a unified diff from the working tree
// (a/PATH) to the generation (b/PATH), /dev/null standing for the side that
// has no file; a file with a NUL byte is reported as binary. Untracked and
// uncommitted files have no content difference and give "".
func UnifiedDiff(c FileChange) string {
	from, to := "a/"+c.Path, "b/"+c.Path
	switch c.Status {
	case Missing:
		from = "/dev/null"
	case Stale:
		to = "/dev/null"
	case Changed:
	default:
		return ""
	}
	if bytes.IndexByte(c.Old, 0) >= 0 || bytes.IndexByte(c.New, 0) >= 0 {
		return fmt.Sprintf("Binary files %s and %s differ\n", from, to)
	}
	return udiff.Unified(from, to, string(c.Old), string(c.New))
}
