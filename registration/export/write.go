package export

import (
	"errors"
	"os"
	"path/filepath"
)

// WriteDir writes each document to its file under dir, creating dir. Each
// file is written beside its final name and renamed into place, so that a
// reader never sees half a file; files of services that are no longer
// exported stay. On an error, the files written by this call are
// removed.
func WriteDir(dir string, docs []Document) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stage, err := os.MkdirTemp(dir, ".export-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stage)
	for _, d := range docs {
		if err := os.WriteFile(filepath.Join(stage, d.File), d.Data, 0o644); err != nil {
			return err
		}
	}
	for _, d := range docs {
		if err := os.Rename(filepath.Join(stage, d.File), filepath.Join(dir, d.File)); err != nil {
			return errors.Join(err, errors.New("some files under "+dir+" were replaced and others not"))
		}
	}
	return nil
}
