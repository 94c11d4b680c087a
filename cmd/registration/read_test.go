package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// TestReadVerbsRefuse checks that every read verb refuses a document with a
// null element or a value outside an enumeration, and the other kinds of
// document registration/load refuses, with exit status 1 and the file,
// line, column and JSON pointer, where they used to panic (exit 2) or
// carry on.
func TestReadVerbsRefuse(t *testing.T) {
	example, err := os.ReadFile(fixture("example/registry.registration.json"))
	if err != nil {
		t.Fatal(err)
	}
	yamlExample, err := os.ReadFile(fixture("example-yaml/registry.registration.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name, old, new string, from []byte) string {
		t.Helper()
		if strings.Count(string(from), old) == 0 {
			t.Fatalf("%s: %q is not in the example", name, old)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(strings.Replace(string(from), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	files := []struct {
		path, want string
	}{
		{write("null_method.json", `"methods": [`, `"methods": [null, `, example),
			`null_method.json:21:19: at /services/0/methods/0: value must be an object; got null`},
		{write("null_binding.json", `"bindings": [`, `"bindings": [null, `, example),
			`null_binding.json:41:24: at /services/0/methods/0/bindings/0: value must be an object; got null`},
		{write("null_capability.json", `"capabilities": [`, `"capabilities": [null, `, example),
			`null_capability.json:185:24: at /services/0/capabilities/0: value must be an object; got null`},
		{write("null_event.yaml", "    events:\n", "    events:\n      - null\n", yamlExample),
			`null_event.yaml:152:9: at /services/0/events/0: value must be an object; got null`},
		{write("sideways.json", `"streaming": "unary"`, `"streaming": "sideways"`, example),
			`sideways.json:29:24: at /services/0/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got "sideways"`},
		{write("sideways.yaml", "streaming: unary", "streaming: sideways", yamlExample),
			`sideways.yaml:24:20: at /services/0/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got "sideways"`},
		{write("twice.json", `"services": [`, `"services": [{"name": "identity.v1.UserService", "package": "identity.v1", "file": "identity/v1/identity.proto", "methods": []}, `, example),
			`twice.json:10:15: at /services/1/name: service "identity.v1.UserService" is listed twice: first at /services/0`},
		{write("path.json", `"path": "/v1/`, `"path": "/v1//`, example),
			`path.json:44:23: at /services/0/methods/0/bindings/0/path: path template "/v1//{name=users/*}": offset 4: empty segment`},
		{write("trailing.json", "\n}\n", "\n}\n{}\n", example), `trailing.json:1782:1: data after the end of the document`},
	}
	good := fixture("example/registry.registration.json")
	verbs := [][]string{{"services"}, {"inspect", "UserService"}, {"events"}, {"lint"}, {"compare", good}, {"compare", "NEW", good}}
	for _, f := range files {
		for _, verb := range verbs {
			args := append([]string{verb[0], "--format", "json"}, verb[1:]...)
			if args[len(args)-1] == good && args[len(args)-2] == "NEW" {
				args = append(args[:len(args)-2], f.path, good) // the bad file as OLD
			} else {
				args = append(args, f.path)
			}
			status, stdout, stderr := runCommand(t, args...)
			want := "registration " + verb[0] + ": " + dir + string(filepath.Separator) + f.want + "\n"
			if status != 1 || stdout != "" || stderr != want {
				t.Errorf("%v: status %d, stdout %q, stderr\n got %q\nwant %q (status 1)", args, status, stdout, stderr, want)
			}
		}
		// validate reports invalid files itself; it must not panic.
		runCommand(t, "validate", "--format", "json", f.path)
	}
}

// withStdin runs f with standard input reading content.
func withStdin(t *testing.T, content string, f func()) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		w.WriteString(content)
		w.Close()
	}()
	saved := os.Stdin
	os.Stdin = r
	defer func() {
		os.Stdin = saved
		r.Close()
	}()
	f()
}

// TestStdin: "-" reads standard input, named "<stdin>" in errors.
func TestStdin(t *testing.T) {
	example, err := os.ReadFile(fixture("example/registry.registration.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := runCommand(t, "services", "--format", "json", fixture("example/registry.registration.json"))
	withStdin(t, string(example), func() {
		status, stdout, stderr := runCommand(t, "services", "--format", "json", load.Stdin)
		if status != 0 || stdout != want {
			t.Errorf("services -: status %d, stderr %q, stdout\n%s", status, stderr, stdout)
		}
	})
	withStdin(t, strings.Replace(string(example), `"streaming": "unary"`, `"streaming": "sideways"`, 1), func() {
		status, _, stderr := runCommand(t, "events", "--format", "json", load.Stdin)
		if want := `registration events: <stdin>:29:24: at /services/0/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got "sideways"` + "\n"; status != 1 || stderr != want {
			t.Errorf("events -: status %d, stderr\n got %q\nwant %q", status, stderr, want)
		}
	})
	status, _, stderr := runCommand(t, "compare", "--format", "json", load.Stdin, load.Stdin)
	if want := "registration compare: standard input (\"-\") can be OLD or NEW, not both\n"; status != 1 || stderr != want {
		t.Errorf("compare - -: status %d, stderr %q", status, stderr)
	}
	status, _, stderr = runCommand(t, "services", "--format", "json", load.Stdin, load.Stdin)
	if want := "registration services: standard input (\"-\") named twice\n"; status != 1 || stderr != want {
		t.Errorf("services - -: status %d, stderr %q", status, stderr)
	}
}

// TestCompareAgainstOption: a revision that git would read as an option is
// refused before git runs; --against=--output=PATH once made git show write
// PATH.
func TestCompareAgainstOption(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "written")
	file := fixture("example/registry.registration.json")
	for _, args := range [][]string{
		{"compare", "--against=--output=" + target, file},
		{"compare", "--against", "--output=" + target, file},
		{"compare", "--against", "-p", file},
	} {
		status, stdout, stderr := runCommand(t, args...)
		rev := strings.TrimPrefix(strings.TrimPrefix(args[1], "--against="), "--against")
		if rev == "" {
			rev = args[2]
		}
		want := `registration compare: flag --against: revision "` + rev + `" starts with "-": want a branch, tag or commit` + "\n"
		if status != 1 || stdout != "" || stderr != want {
			t.Errorf("%v: status %d, stdout %q, stderr\n got %q\nwant %q", args, status, stdout, stderr, want)
		}
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Errorf("%s was written (%v)", target, err)
	}
	status, _, stderr := runCommand(t, "compare", "--against", "HEAD", load.Stdin)
	if want := "registration compare: with --against, name files or directories in a git work tree, not standard input\n"; status != 1 || stderr != want {
		t.Errorf("--against with -: status %d, stderr %q", status, stderr)
	}
}
