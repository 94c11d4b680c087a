// Package regentest is a fast, deterministic stand-in for protoc or buf in
// the tests of watch and check: a process re-executes the test binary with
// FakeGenEnv set and calls FakeGenerate, which reads the protos of a tree as
// text (package, service and rpc lines only) and writes one
// registration.v1 JSON file per proto file that has services.
//
// A proto that contains SYNTAX_ERROR fails the run with a protoc-style
// "file:line:col: message" error, and one that contains HANG makes the run
// hang, for the tests of failing and hung generations.
//
// It also holds what those tests share, in internal/regen and in
// cmd/registration: small projects (Project, BufProject, BuildPlugin),
// writing and reading trees, and waiting for a running watch.
package regentest

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
)

// FakeGenEnv, set to "1" in a test binary's environment, makes the binary
// run FakeGenerate instead of its tests (see Command).
const FakeGenEnv = "REGISTRATION_FAKEGEN"

// Command returns the shell command that runs the fake generator from the
// test binary: protos in the in directory, output in the out directory,
// both relative to where the command runs; out may hold {out}.
func Command(in, out string) string {
	exe, err := os.Executable()
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%s=1 '%s' -in '%s' -out %s", FakeGenEnv, exe, in, out)
}

var (
	packageRE = regexp.MustCompile(`^\s*package\s+([\w.]+)\s*;`)
	serviceRE = regexp.MustCompile(`^\s*service\s+(\w+)`)
	rpcRE     = regexp.MustCompile(`^\s*rpc\s+(\w+)\s*\(\s*([\w.]+)\s*\)\s*returns\s*\(\s*([\w.]+)\s*\)`)
)

// FakeGenerate is the fake generator's main: it returns the exit status.
func FakeGenerate(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakegen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "proto tree")
	out := fs.String("out", "", "output directory")
	if err := fs.Parse(args); err != nil || *in == "" || *out == "" {
		fmt.Fprintln(stderr, "fakegen: want -in DIR -out DIR")
		return 2
	}
	if err := generate(*in, *out, stderr); err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	return 0
}

func generate(in, out string, stderr io.Writer) error {
	if _, err := os.Stat(in); err != nil {
		return fmt.Errorf("fakegen: %v", err)
	}
	return filepath.WalkDir(in, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path != in && os.IsNotExist(err) {
				return nil // removed while walking, as with a real compiler
			}
			return err
		}
		if d.IsDir() || filepath.Ext(path) != ".proto" {
			return nil
		}
		data, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			return nil
		} else if err != nil {
			return err
		}
		rel, _ := filepath.Rel(in, path)
		rel = filepath.ToSlash(rel)
		if i := bytes.Index(data, []byte("SYNTAX_ERROR")); i >= 0 {
			line := bytes.Count(data[:i], []byte("\n")) + 1
			col := i - bytes.LastIndexByte(data[:i], '\n')
			return fmt.Errorf("%s:%d:%d: syntax error: unexpected identifier SYNTAX_ERROR", rel, line, col)
		}
		if bytes.Contains(data, []byte("HANG")) {
			time.Sleep(time.Hour)
		}
		reg := parse(rel, data)
		if len(reg.Services) == 0 {
			return nil
		}
		enc, err := codec.Marshal(reg, codec.JSON)
		if err != nil {
			return err
		}
		target := filepath.Join(out, strings.TrimSuffix(rel, ".proto")+".registration.json")
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, enc, 0o644)
	})
}

// parse reads the package, services and methods of a proto file's text.
func parse(name string, data []byte) *registration.Registration {
	reg := &registration.Registration{Format: registration.Format, Files: []string{name}}
	pkg := ""
	var svc *registration.Service
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if m := packageRE.FindStringSubmatch(line); m != nil {
			pkg = m[1]
		} else if m := serviceRE.FindStringSubmatch(line); m != nil {
			svc = &registration.Service{Name: qualify(pkg, m[1]), Package: pkg, File: name, Methods: []*registration.Method{}}
			reg.Services = append(reg.Services, svc)
		} else if m := rpcRE.FindStringSubmatch(line); m != nil && svc != nil {
			svc.Methods = append(svc.Methods, &registration.Method{
				Name: m[1], FullName: svc.Name + "." + m[1],
				InputType: qualify(pkg, m[2]), OutputType: qualify(pkg, m[3]),
				Streaming: registration.StreamingUnary, Kind: registration.KindCustom,
			})
		}
	}
	return reg
}

func qualify(pkg, name string) string {
	if pkg == "" || strings.Contains(name, ".") {
		return name
	}
	return pkg + "." + name
}
