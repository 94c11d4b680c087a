package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// FuzzVerbs runs every read verb, in every output format, on any input:
// none may panic. A document registration/load refuses makes each verb
// exit 1 with load's error; on a document it accepts, services, inspect
// and events exit 0, lint and compare 0 or 2, and comparing a document
// with itself finds nothing. The seeds are the registrations the tests
// generate and the bad documents of testdata; crashers go to
// testdata/fuzz/FuzzVerbs.
func FuzzVerbs(f *testing.F) {
	err := filepath.WalkDir(gen, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ext := filepath.Ext(path); !d.IsDir() && (ext == ".json" || ext == ".yaml") {
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f.Add(data)
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range []string{"testdata/wrong_version.json", "testdata/unknown_field.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"format": "registration.v1", "files": [], "services": [{"name": "a.S", "package": "a", "file": "a.proto", "methods": [null]}]}`))
	// One directory per fuzzing process, whose executions are sequential:
	// a directory per execution costs more than the verbs.
	dir := f.TempDir()
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{"format": "registration.v1", "files": [], "services": []}`), 0o644); err != nil {
		f.Fatal(err)
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.registration")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		reg, loadErr := load.Bytes(path, data)
		service := "no.such.Service"
		if reg != nil && len(reg.Services) > 0 {
			service = reg.Services[0].Name
		}
		type verb struct {
			args []string
			ok   []int // statuses for an accepted document
		}
		verbs := []verb{
			{[]string{"services", path}, []int{0}},
			{[]string{"inspect", service, path}, []int{0}},
			{[]string{"events", path}, []int{0}},
			{[]string{"lint", path}, []int{0, 2}},
			{[]string{"compare", path, path}, []int{0}},
			{[]string{"compare", empty, path}, []int{0, 2}},
			{[]string{"compare", path, empty}, []int{0, 2}},
		}
		if reg != nil && len(reg.Services) == 0 {
			verbs[1].ok = []int{1} // no service to inspect
		}
		for _, v := range verbs {
			for _, format := range []string{"table", "json", "yaml"} {
				args := append([]string{v.args[0], "--format", format}, v.args[1:]...)
				var stdout, stderr bytes.Buffer
				status := run(args, &stdout, &stderr)
				switch {
				case loadErr != nil:
					if want := "registration " + v.args[0] + ": " + loadErr.Error() + "\n"; status != 1 || stderr.String() != want {
						t.Fatalf("%v: status %d, stderr %q; want status 1 and %q", args, status, stderr.String(), want)
					}
				case !containsInt(v.ok, status):
					t.Fatalf("%v: status %d, want one of %v; stderr %q", args, status, v.ok, stderr.String())
				case v.args[0] == "compare" && v.args[1] == path && v.args[2] == path && format == "table" && stdout.String() != "0 changes, 0 breaking\n":
					t.Fatalf("%v: a document differs from itself:\n%s", args, stdout.String())
				}
				if strings.Contains(stderr.String(), "panic") {
					t.Fatalf("%v: %s", args, stderr.String())
				}
			}
		}
		// validate is checked for panics only: its statuses are its own.
		run([]string{"validate", "--format", "json", path}, new(bytes.Buffer), new(bytes.Buffer))
	})
}

func containsInt(list []int, n int) bool {
	for _, x := range list {
		if x == n {
			return true
		}
	}
	return false
}
