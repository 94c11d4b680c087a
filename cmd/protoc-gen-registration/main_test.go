package main

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// These tests drive the built plugin the way users run it: through Debian's
// protoc and through buf generate with the repository's buf.gen.yaml. Both
// tools must be installed (make tools); a missing one fails the test rather
// than skipping it, so CI cannot pass without them.

const repo = "../.."

// buildPlugin builds the plugin into a fresh directory and returns that
// directory, to be put first on PATH.
func buildPlugin(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command("go", "build", "-o", filepath.Join(dir, "protoc-gen-registration"), ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return dir
}

// tool finds an installed tool on PATH or in GOPATH/bin.
func tool(t *testing.T, name string) string {
	t.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		path := filepath.Join(strings.TrimSpace(string(out)), "bin", name)
		if _, err := os.Stat(path); err == nil {
			return path
		}
	}
	t.Fatalf("%s is not installed; run make tools", name)
	return ""
}

// readTree returns the files below dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := make(map[string]string)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

var exampleProtos = []string{"identity/v1/identity.proto", "library/v1/library.proto", "notify/v1/notify.proto"}

// TestProtoc runs the example API through protoc, per file and aggregated,
// and compares what it writes with the committed output that buf generate
// wrote: the two tools must agree to the byte.
func TestProtoc(t *testing.T) {
	protoc := tool(t, "protoc")
	bin := buildPlugin(t)
	for _, tt := range []struct{ opt, committed string }{
		{"capability_rules=example/capability_rules.yaml", "example/gen/registration"},
		{"aggregate=registry,capability_rules=example/capability_rules.yaml", "example/gen/aggregate"},
	} {
		out := t.TempDir()
		args := []string{
			"--plugin=protoc-gen-registration=" + filepath.Join(bin, "protoc-gen-registration"),
			"-I", "example", "-I", "proto", "-I", "third_party/googleapis",
			"--registration_out=" + out,
		}
		if tt.opt != "" {
			args = append(args, "--registration_opt="+tt.opt)
		}
		for _, p := range exampleProtos {
			args = append(args, "example/"+p)
		}
		cmd := exec.Command(protoc, args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("protoc %s: %v\n%s", tt.opt, err, out)
		}
		want := readTree(t, filepath.Join(repo, tt.committed))
		if diff := cmp.Diff(want, readTree(t, out)); diff != "" {
			t.Errorf("protoc %q output differs from %s (-committed +protoc):\n%s", tt.opt, tt.committed, diff)
		}
	}
}

// TestProtocError checks that protoc reports a bad annotation with the
// plugin's message, file:line:column first, and writes nothing.
func TestProtocError(t *testing.T) {
	protoc := tool(t, "protoc")
	bin := buildPlugin(t)
	out := t.TempDir()
	cmd := exec.Command(protoc,
		"--plugin=protoc-gen-registration="+filepath.Join(bin, "protoc-gen-registration"),
		"-I", "plugin/testdata/errors/bad_template", "-I", "third_party/googleapis",
		"--registration_out="+out, "plugin/testdata/errors/bad_template/errs/v1/errs.proto")
	cmd.Dir = repo
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("protoc succeeded or did not run (%v); want a failure", err)
	}
	const want = `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get: path template "/v1/{name=shelves/*": offset 4: unterminated variable`
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("protoc stderr:\n%s\nwant it to contain:\n%s", stderr.String(), want)
	}
	if files := readTree(t, out); len(files) != 0 {
		t.Errorf("protoc wrote %d files on error, want none", len(files))
	}
}

// TestBufGenerate runs buf generate with the repository's buf.gen.yaml into
// a temporary directory and compares the result with the committed output,
// Go code included: protoc-gen-go, protoc-gen-go-grpc and the plugin's
// emit=go output. The committed Go code is compiled and run by
// example/server's tests, so output identical to it compiles too.
func TestBufGenerate(t *testing.T) {
	buf := tool(t, "buf")
	bin := buildPlugin(t)
	path := []string{bin}
	for _, name := range []string{"protoc-gen-go", "protoc-gen-go-grpc"} {
		path = append(path, filepath.Dir(tool(t, name)))
	}
	out := t.TempDir()
	cmd := exec.Command(buf, "generate", "--template", "buf.gen.yaml", "-o", out)
	cmd.Dir = repo
	cmd.Env = append(os.Environ(), "PATH="+strings.Join(append(path, os.Getenv("PATH")), string(os.PathListSeparator)))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buf generate: %v\n%s", err, out)
	}
	want := readTree(t, filepath.Join(repo, "example/gen"))
	if diff := cmp.Diff(want, readTree(t, filepath.Join(out, "example/gen"))); diff != "" {
		t.Errorf("buf generate output differs from example/gen (-committed +buf):\n%s", diff)
	}
}

// TestBufEditions runs an edition 2023 file through buf, which accepts it
// only because the plugin declares editions support, and compares the
// result with the in-process golden file.
func TestBufEditions(t *testing.T) {
	buf := tool(t, "buf")
	bin := buildPlugin(t)
	work := t.TempDir()
	src, err := os.ReadFile(filepath.Join(repo, "plugin/testdata/cases/editions/ed/v1/ed.proto"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(work, "api/ed/v1/ed.proto"), string(src))
	writeFile(t, filepath.Join(work, "buf.yaml"), "version: v2\nmodules:\n  - path: api\n  - path: googleapis\n")
	googleapis, err := filepath.Abs(filepath.Join(repo, "third_party/googleapis"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(googleapis, filepath.Join(work, "googleapis")); err != nil {
		t.Fatal(err)
	}
	template := `{"version":"v2","inputs":[{"directory":"api"}],"plugins":[{"local":"protoc-gen-registration","out":"out"}]}`
	cmd := exec.Command(buf, "generate", "--template", template)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("buf generate: %v\n%s", err, out)
	}
	want := readTree(t, filepath.Join(repo, "plugin/testdata/golden/editions"))
	if diff := cmp.Diff(want, readTree(t, filepath.Join(work, "out"))); diff != "" {
		t.Errorf("buf output differs from the golden files (-golden +buf):\n%s", diff)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFlags checks --version, --help and a stray argument on the built
// binary.
func TestFlags(t *testing.T) {
	bin := filepath.Join(buildPlugin(t), "protoc-gen-registration")
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "protoc-gen-registration ") {
		t.Errorf("--version: %q, %v", out, err)
	}
	out, err = exec.Command(bin, "--help").Output()
	if err != nil || !strings.Contains(string(out), "grpc_api_configuration=FILE.yaml") || !strings.Contains(string(out), "capability_rules=FILE.yaml") {
		t.Errorf("--help does not list the parameters: %q, %v", out, err)
	}
	// Every parameter with its meaning and default, from the one table
	// that also parses them.
	for _, want := range []string{"strict=true|false\n", "max_errors=N\n      how many errors a failed run lists; 0 lists all. Default: 20.", "health_path=PATH\n      the HTTP health path recorded for every service. Default: /healthz."} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--help lacks %q:\n%s", want, out)
		}
	}
	cmd := exec.Command(bin, "--frobnicate")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	var exit *exec.ExitError
	if err := cmd.Run(); !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(stderr.String(), `unexpected argument "--frobnicate"`) {
		t.Errorf("a stray argument: %v, stderr %q; want exit status 1 naming it", err, stderr.String())
	}
	// A broken request is not the user's protos: stderr and exit status 1,
	// and nothing on stdout for protoc to misread.
	cmd = exec.Command(bin)
	cmd.Stdin = strings.NewReader("\xff\xff\xff")
	stderr.Reset()
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	if !errors.As(err, &exit) || exit.ExitCode() != 1 || len(out) != 0 || !strings.Contains(stderr.String(), "parsing the CodeGeneratorRequest") {
		t.Errorf("a broken request: %v, stdout %q, stderr %q; want exit status 1 and a parse error", err, out, stderr.String())
	}
}

// TestRealSliceAcrossTools runs the vendored googleapis slice through the
// real tools in the ways users batch it: protoc on one file at a time, buf
// with its default strategy (one request per directory) and with strategy:
// all. Every way must write exactly the per-file goldens that the in-process
// tests compare with: a file's registration depends on it and its imports
// only.
func TestRealSliceAcrossTools(t *testing.T) {
	const slice = "plugin/testdata/real"
	want := readTree(t, filepath.Join(repo, slice, "golden"))
	delete(want, "stderr") // the warnings, not a file
	if len(want) < 4 {
		t.Fatalf("want the real slice's goldens, found %d files", len(want))
	}
	bin := buildPlugin(t)
	plugin := filepath.Join(bin, "protoc-gen-registration")

	t.Run("protoc, one file at a time", func(t *testing.T) {
		protoc := tool(t, "protoc")
		out := t.TempDir()
		for name := range want {
			proto := strings.TrimSuffix(name, ".registration.json") + ".proto"
			cmd := exec.Command(protoc, "--plugin=protoc-gen-registration="+plugin, "-I", slice, "--registration_out="+out, filepath.Join(slice, proto))
			cmd.Dir = repo
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("protoc %s: %v\n%s", proto, err, b)
			}
		}
		if diff := cmp.Diff(want, readTree(t, out)); diff != "" {
			t.Errorf("protoc output differs from the goldens (-golden +protoc):\n%s", diff)
		}
	})
	for _, strategy := range []string{"directory", "all"} {
		t.Run("buf, strategy "+strategy, func(t *testing.T) {
			buf := tool(t, "buf")
			work := t.TempDir()
			abs, err := filepath.Abs(filepath.Join(repo, slice, "google"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(work, "api"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(abs, filepath.Join(work, "api", "google")); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(work, "buf.yaml"), "version: v2\nmodules:\n  - path: api\n")
			template := `{"version":"v2","inputs":[{"directory":"api"}],"plugins":[{"local":"protoc-gen-registration","out":"out","strategy":"` + strategy + `"}]}`
			cmd := exec.Command(buf, "generate", "--template", template)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("buf generate: %v\n%s", err, b)
			}
			if diff := cmp.Diff(want, readTree(t, filepath.Join(work, "out"))); diff != "" {
				t.Errorf("buf output differs from the goldens (-golden +buf):\n%s", diff)
			}
		})
	}
}
