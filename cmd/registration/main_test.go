package main

import (
	"bytes"
	"flag"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// exampleAggregate is the example's committed aggregate registration. The
// inspection tests generate their own (see gen_test.go).
const exampleAggregate = "../../example/gen/aggregate/registry.registration.json"

// TestServices prints the example's services in every format and compares
// with the golden files; the per-file registration given as well must not
// list a service twice.
func TestServices(t *testing.T) {
	for _, format := range []string{"table", "json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			status, stdout, stderr := runCommand(t, "services", "--format", format,
				fixture("example/registry.registration.json"), fixture("example/library/v1/library.registration.json"))
			if status != 0 {
				t.Fatalf("status %d: %s", status, stderr)
			}
			checkGolden(t, "services."+format, stdout)
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
		{[]string{"services", "--format", "json"}, "registration services: name at least one registration file\nRun 'registration services --help' for usage.\n"},
		{[]string{"services", "--format", "json", "testdata/missing.json"}, "registration services: open testdata/missing.json: no such file or directory\n"},
		{[]string{"services", "--format", "json", "testdata/wrong_version.json"}, `registration services: testdata/wrong_version.json:1:12: at /format: value must be one of "registration.v2", "registration.v1"; got "registration.v3"` + "\n"},
		{[]string{"services", "--format", "json", "testdata/unknown_field.json"}, `registration services: testdata/unknown_field.json:1:60: at /colour: unknown field "colour"` + "\n"},
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
