package regentest

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// WaitLimit bounds every wait for a condition in the tests of watch and
// check.
const WaitLimit = 20 * time.Second

// WriteFile writes content to path, creating its directory.
func WriteFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ServiceProto is a small proto file with one service, which protoc, buf
// and the fake generator all compile.
func ServiceProto(pkg, service string, methods ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "syntax = \"proto3\";\n\npackage %s;\n\noption go_package = \"example.com/gen/%s\";\n\n// %s is a test service.\nservice %s {\n", pkg, strings.ReplaceAll(pkg, ".", "/"), service, service)
	for _, m := range methods {
		fmt.Fprintf(&b, "  rpc %s(%sRequest) returns (%sResponse);\n", m, m, m)
	}
	b.WriteString("}\n")
	for _, m := range methods {
		fmt.Fprintf(&b, "\nmessage %sRequest {}\nmessage %sResponse {}\n", m, m)
	}
	return b.String()
}

// Project returns a new directory with two protos, protos/a/v1/a.proto
// (service a.v1.Alpha, method Get) and protos/b/v1/b.proto (b.v1.Beta,
// Ping), and the command that generates them into gen/ with the fake
// generator.
func Project(t testing.TB) (dir, command string) {
	t.Helper()
	dir = t.TempDir()
	WriteFile(t, filepath.Join(dir, "protos/a/v1/a.proto"), ServiceProto("a.v1", "Alpha", "Get"))
	WriteFile(t, filepath.Join(dir, "protos/b/v1/b.proto"), ServiceProto("b.v1", "Beta", "Ping"))
	return dir, Command("protos", "{out}/gen")
}

// OutputTree reads the files under dir/out, by path relative to dir with
// slashes. A directory that is missing, as it is for a moment between the
// two renames of a fallback exchange, reads as empty.
func OutputTree(t testing.TB, dir, out string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(filepath.Join(dir, out), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			data, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				return nil // replaced or removed by a run since the walk listed it; callers poll again
			}
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, path)
			tree[filepath.ToSlash(rel)] = string(data)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// TreeFiles lists the paths of a tree, sorted, one a line.
func TreeFiles(tree map[string]string) string {
	names := make([]string, 0, len(tree))
	for n := range tree {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, "\n")
}

// Buffer is a bytes.Buffer that a running watch writes to while the test
// reads it.
type Buffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitUntil polls cond until it holds, failing the test after WaitLimit
// with what state describes.
func WaitUntil(t testing.TB, what string, cond func() bool, state func() string) {
	t.Helper()
	deadline := time.Now().Add(WaitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s; state:\n%s", WaitLimit, what, state())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// BuildPlugin builds protoc-gen-registration from this checkout into a
// temporary directory and returns its path.
func BuildPlugin(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "protoc-gen-registration")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/ovasabi/protoc-gen-registration/cmd/protoc-gen-registration")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// BufProject returns a directory with a buf template that runs the plugin
// built from this checkout on protos/ into gen/registration (per file) and
// gen/aggregate, and one proto, protos/lib/v1/lib.proto (lib.v1.Library,
// GetBook). It fails the test when buf is not installed (make tools
// installs it).
func BufProject(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("buf"); err != nil {
		t.Fatalf("buf is not on PATH (make tools installs it): %v", err)
	}
	plugin := BuildPlugin(t)
	dir := t.TempDir()
	WriteFile(t, filepath.Join(dir, "buf.gen.yaml"), fmt.Sprintf(`version: v2
clean: true
inputs:
  - directory: protos
plugins:
  - local: %s
    out: gen/registration
  - local: %s
    out: gen/aggregate
    opt: [aggregate=registry]
    strategy: all
`, plugin, plugin))
	WriteFile(t, filepath.Join(dir, "protos/lib/v1/lib.proto"), ServiceProto("lib.v1", "Library", "GetBook"))
	return dir
}
