package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/internal/etcdtest"
)

// TestExitStatus runs every verb to each exit status its help lists, and
// the commands cli.New adds: each case ends with its status, and the
// statuses tested for a verb are those its help lists, no more and no
// fewer, as docs/registration.md's table has them for every verb.
func TestExitStatus(t *testing.T) {
	example := fixture("example/registry.registration.json")
	v2 := fixture("example-v2/registry.registration.json")
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.json")
	if err := os.WriteFile(empty, []byte(`{"format": "registration.v1", "files": [], "services": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.json")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	// project is a fresh project whose generation is the fake generator's.
	project := func(t *testing.T, args ...string) []string {
		_, flags := fakeProject(t)
		return append(flags, args...)
	}

	cases := []struct {
		name   string
		verb   string
		args   func(t *testing.T) []string
		ctx    context.Context // context.Background() when nil
		status int
	}{
		{"services", "services", fixed(example), nil, cli.ExitOK},
		{"services, a missing file", "services", fixed(missing), nil, cli.ExitError},
		{"inspect", "inspect", fixed("LibraryService", example), nil, cli.ExitOK},
		{"inspect, no such service", "inspect", fixed("NoService", example), nil, cli.ExitError},
		{"events", "events", fixed(example), nil, cli.ExitOK},
		{"events, a bad --format", "events", fixed("--format", "xml", example), nil, cli.ExitError},
		{"validate", "validate", fixed(example, v2), nil, cli.ExitOK},
		{"validate, a missing file", "validate", fixed(example, missing), nil, cli.ExitError},
		{"validate, an invalid file", "validate", fixed(example, "testdata/wrong_version.json"), nil, cli.ExitFindings},
		{"compare, nothing breaking", "compare", fixed(example, example), nil, cli.ExitOK},
		{"compare, one file", "compare", fixed(example), nil, cli.ExitError},
		{"compare, breaking changes", "compare", fixed(example, v2), nil, cli.ExitFindings},
		{"lint, no suggestion", "lint", fixed(empty), nil, cli.ExitOK},
		{"lint, an unknown rule", "lint", fixed("--disable", "NOPE", example), nil, cli.ExitError},
		{"lint, suggestions", "lint", fixed(example), nil, cli.ExitFindings},
		{"export", "export", fixed("--to", "backstage", "--lifecycle", "production", example), nil, cli.ExitOK},
		{"export, an unknown target", "export", fixed("--to", "nomad", example), nil, cli.ExitError},
		{"watch, stopped", "watch", func(t *testing.T) []string { return project(t) }, cancelled, cli.ExitOK},
		{"watch, a bad --debounce", "watch", func(t *testing.T) []string { return project(t, "--debounce", "0s") }, nil, cli.ExitError},
		{"check --fix", "check", func(t *testing.T) []string { return project(t, "--fix") }, nil, cli.ExitOK},
		{"check --fix --restore", "check", func(t *testing.T) []string { return project(t, "--fix", "--restore") }, nil, cli.ExitError},
		{"check, drift", "check", func(t *testing.T) []string { return project(t, "--git=false") }, nil, cli.ExitFindings},
		{"publish", "publish", func(t *testing.T) []string { return []string{"--etcd", etcdtest.Start(t).Endpoints()[0], example} }, nil, cli.ExitOK},
		{"publish, --prune without --source", "publish", fixed("--etcd", "http://127.0.0.1:2379", "--prune", example), nil, cli.ExitError},
		{"instances", "instances", func(t *testing.T) []string {
			return []string{"--etcd", etcdtest.Start(t).Endpoints()[0], "library.v1.LibraryService"}
		}, nil, cli.ExitOK},
		{"instances, no service", "instances", fixed("--etcd", "http://127.0.0.1:2379"), nil, cli.ExitError},
		{"help", "", fixed("help"), nil, cli.ExitOK},
		{"version", "", fixed("version"), nil, cli.ExitOK},
		{"completion", "", fixed("completion", "fish"), nil, cli.ExitOK},
		{"an unknown command", "", fixed("frobnicate"), nil, cli.ExitError},
		{"an unknown flag", "", fixed("services", "--colour", example), nil, cli.ExitError},
	}
	tested := map[string][]int{}
	for _, tc := range cases {
		if !slices.Contains(tested[tc.verb], tc.status) {
			tested[tc.verb] = append(tested[tc.verb], tc.status)
		}
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args(t)
			if tc.verb != "" {
				args = append([]string{tc.verb}, args...)
			}
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			var stdout, stderr strings.Builder
			if status := runContext(ctx, args, &stdout, &stderr); status != tc.status {
				t.Errorf("%q: status %d, want %d\nstdout:\n%s\nstderr:\n%s", args, status, tc.status, stdout.String(), stderr.String())
			}
		})
	}
	for _, v := range verbs {
		got := tested[v.name]
		slices.Sort(got)
		if want := helpStatuses(t, v.name); !slices.Equal(got, want) {
			t.Errorf("%s: statuses tested %v, its help lists %v", v.name, got, want)
		}
		for _, s := range got {
			if !slices.Contains(documentedStatuses(t), s) {
				t.Errorf("%s: status %d is not in docs/registration.md's table", v.name, s)
			}
		}
	}
}

// fixed returns arguments that need no set-up.
func fixed(args ...string) func(*testing.T) []string {
	return func(*testing.T) []string { return args }
}
