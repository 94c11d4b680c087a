package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const exampleAggregate = "../../example/gen/aggregate/registry.registration.json"

// TestServices prints the example's services in every format and compares
// with the golden files; the per-file registrations given as well must not
// list a service twice.
func TestServices(t *testing.T) {
	perFile := "../../example/gen/registration/library/v1/library.registration.json"
	for _, format := range []string{"table", "json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if status := run([]string{"services", "--format", format, exampleAggregate, perFile}, &stdout, &stderr); status != 0 {
				t.Fatalf("status %d: %s", status, stderr.String())
			}
			golden := filepath.Join("testdata/golden", "services."+format)
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, stdout.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), stdout.String()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestServicesErrors checks that bad input names the file or flag and exits 1.
func TestServicesErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"services", "--format", "xml", exampleAggregate}, "registration services: flag --format=\"xml\": want table, json or yaml\n"},
		{[]string{"services", "--format", "json"}, "registration services: name at least one registration file\n"},
		{[]string{"services", "--format", "json", "testdata/missing.json"}, "registration services: open testdata/missing.json: no such file or directory\n"},
		{[]string{"services", "--format", "json", "testdata/wrong_version.json"}, "registration services: testdata/wrong_version.json: format is \"registration.v2\", want \"registration.v1\"\n"},
		{[]string{"services", "--format", "json", "testdata/unknown_field.json"}, "registration services: testdata/unknown_field.json: json: unknown field \"colour\"\n"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if status := run(tt.args, &stdout, &stderr); status != 1 {
			t.Errorf("%v: status %d, want 1", tt.args, status)
		}
		if stderr.String() != tt.want {
			t.Errorf("%v: stderr\n got: %q\nwant: %q", tt.args, stderr.String(), tt.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: wrote %q to stdout on error", tt.args, stdout.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if status := run([]string{"frobnicate"}, &stdout, &stderr); status != 1 || !bytes.HasPrefix(stderr.Bytes(), []byte(`registration: unknown command "frobnicate"`)) {
		t.Errorf("unknown command: status %d, stderr %q", status, stderr.String())
	}
}
