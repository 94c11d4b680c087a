package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
)

var testFindings = []Finding{
	{File: "a/v1/a.proto", Line: 12, Column: 3, Rule: "METHOD_REMOVED", Error: true, Element: "a.v1.S.M", Message: "method a.v1.S.M was removed, 100% gone: see a,b"},
	{File: "a/v1/a.proto", Rule: "METHOD_ADDED", Element: "a.v1.S.N", Message: "method added\nsecond line"},
	{File: "b/v1/b.proto", Line: 4, Rule: "SERVICE_REMOVED", Error: true, Element: "b.v1.T", Message: "gone"},
}

// TestWriteFindings checks each error format against what its reader
// expects: buf's text lines, JSON objects with buf's keys, GitHub's
// escaped workflow commands, and JUnit XML that decodes.
func TestWriteFindings(t *testing.T) {
	var b bytes.Buffer
	if err := WriteFindings(&b, ErrorFormatText, "registration compare", "proto", testFindings); err != nil {
		t.Fatal(err)
	}
	want := "proto/a/v1/a.proto:12:3:METHOD_REMOVED:method a.v1.S.M was removed, 100% gone: see a,b\n" +
		"proto/a/v1/a.proto:METHOD_ADDED:method added second line\n" +
		"proto/b/v1/b.proto:4:SERVICE_REMOVED:gone\n"
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	if err := WriteFindings(&b, ErrorFormatJSON, "registration compare", "", testFindings); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("json: %d lines, want 3:\n%s", len(lines), b.String())
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["path"] != "a/v1/a.proto" || first["start_line"] != 12.0 || first["start_column"] != 3.0 || first["type"] != "METHOD_REMOVED" {
		t.Errorf("json: %v", first)
	}

	b.Reset()
	if err := WriteFindings(&b, ErrorFormatGitHubActions, "registration compare", "", testFindings); err != nil {
		t.Fatal(err)
	}
	want = "::error file=a/v1/a.proto,line=12,col=3,title=METHOD_REMOVED::method a.v1.S.M was removed, 100%25 gone: see a,b\n" +
		"::notice file=a/v1/a.proto,title=METHOD_ADDED::method added%0Asecond line\n" +
		"::error file=b/v1/b.proto,line=4,title=SERVICE_REMOVED::gone\n"
	if b.String() != want {
		t.Errorf("github-actions:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	if err := WriteFindings(&b, ErrorFormatJUnit, "registration compare", "", testFindings); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(b.Bytes(), &suites); err != nil {
		t.Fatalf("junit: %v\n%s", err, b.String())
	}
	if len(suites.Suites) != 2 || suites.Suites[0].Tests != 2 || suites.Suites[0].Failures != 1 || suites.Suites[1].Failures != 1 ||
		suites.Suites[0].Cases[0].Failure == nil || suites.Suites[0].Cases[1].Failure != nil {
		t.Errorf("junit:\n%s", b.String())
	}

	if err := WriteFindings(&b, "msvs", "x", "", nil); err == nil || !strings.Contains(err.Error(), "github-actions") {
		t.Errorf("unknown format: %v", err)
	}
}
