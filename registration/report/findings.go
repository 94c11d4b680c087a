package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"
)

// Error formats of WriteFindings, as buf's --error-format names them.
const (
	ErrorFormatText          = "text"
	ErrorFormatJSON          = "json"
	ErrorFormatGitHubActions = "github-actions"
	ErrorFormatJUnit         = "junit"
)

// ErrorFormats lists the error formats, for flag help and completion.
var ErrorFormats = []string{ErrorFormatText, ErrorFormatJSON, ErrorFormatGitHubActions, ErrorFormatJUnit}

// Finding is one located finding of compare or lint, as a CI gate reads
// it: the proto element's file, line and column, a rule ID and a message.
type Finding struct {
	// File is the proto file of the element, as the registration names it
	// (relative to the proto root), with the writer's prefix.
	File string `json:"path"`
	// Line and Column locate the element, counting from one; zero when
	// the registration has no source info (then only File is given).
	Line   int `json:"start_line,omitempty"`
	Column int `json:"start_column,omitempty"`
	// Rule is the rule ID.
	Rule string `json:"type"`
	// Error is true for a finding that fails the gate (a breaking change,
	// a lint finding), false for one that informs (a change that breaks
	// nothing).
	Error bool `json:"-"`
	// Element is the full name of what the finding is about.
	Element string `json:"element"`
	// Message is one sentence.
	Message string `json:"message"`
}

// location is "file:line:col", "file:line" or "file".
func (f Finding) location() string {
	switch {
	case f.Line == 0:
		return f.File
	case f.Column == 0:
		return f.File + ":" + strconv.Itoa(f.Line)
	}
	return f.File + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column)
}

// WriteFindings writes findings in one of the error formats, with prefix
// joined before each file (the directory of the proto root in the
// repository, so that a CI system can find the file):
//
//   - text: one line per finding, "file:line:col:RULE:message", as buf
//     prints them;
//   - json: one JSON object per line with buf's keys (path, start_line,
//     start_column, type, message) and the element;
//   - github-actions: workflow commands that GitHub Actions shows as
//     annotations on the file's line: ::error for findings that fail the
//     gate, ::notice for the others;
//   - junit: a JUnit XML report, one test suite per file and one failing
//     test case per finding, for CI systems that read test reports.
//
// tool names the test suites of a JUnit report ("registration lint").
func WriteFindings(w io.Writer, format, tool, prefix string, findings []Finding) error {
	if prefix != "" {
		located := make([]Finding, len(findings))
		for i, f := range findings {
			f.File = path.Join(prefix, f.File)
			located[i] = f
		}
		findings = located
	}
	switch format {
	case ErrorFormatText:
		for _, f := range findings {
			if _, err := fmt.Fprintf(w, "%s:%s:%s\n", f.location(), f.Rule, oneLine(f.Message)); err != nil {
				return err
			}
		}
		return nil
	case ErrorFormatJSON:
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, f := range findings {
			if err := enc.Encode(f); err != nil {
				return err
			}
		}
		return nil
	case ErrorFormatGitHubActions:
		for _, f := range findings {
			if _, err := io.WriteString(w, githubCommand(f)); err != nil {
				return err
			}
		}
		return nil
	case ErrorFormatJUnit:
		return writeJUnit(w, tool, findings)
	}
	return fmt.Errorf("unknown error format %q: want %s", format, strings.Join(ErrorFormats, ", "))
}

// githubCommand is a finding as a GitHub Actions workflow command. Its
// properties and message are escaped as the runner's toolkit escapes
// them.
func githubCommand(f Finding) string {
	level := "notice"
	if f.Error {
		level = "error"
	}
	props := []string{"file=" + escapeProperty(f.File)}
	if f.Line > 0 {
		props = append(props, "line="+strconv.Itoa(f.Line))
		if f.Column > 0 {
			props = append(props, "col="+strconv.Itoa(f.Column))
		}
	}
	props = append(props, "title="+escapeProperty(f.Rule))
	return "::" + level + " " + strings.Join(props, ",") + "::" + escapeData(f.Message) + "\n"
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// The JUnit report's elements.
type (
	junitSuites struct {
		XMLName xml.Name     `xml:"testsuites"`
		Suites  []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name     string      `xml:"name,attr"`
		Tests    int         `xml:"tests,attr"`
		Failures int         `xml:"failures,attr"`
		Cases    []junitCase `xml:"testcase"`
	}
	junitCase struct {
		Name      string        `xml:"name,attr"`
		ClassName string        `xml:"classname,attr"`
		Failure   *junitFailure `xml:"failure,omitempty"`
	}
	junitFailure struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Text    string `xml:",chardata"`
	}
)

// writeJUnit writes findings as a JUnit report: one suite per file, in
// the order the files first appear, a test case per finding, failing for
// findings that fail the gate. With no finding it writes one passing
// suite, so that a CI system sees that the check ran.
func writeJUnit(w io.Writer, tool string, findings []Finding) error {
	var suites junitSuites
	index := map[string]int{}
	for _, f := range findings {
		i, ok := index[f.File]
		if !ok {
			i = len(suites.Suites)
			index[f.File] = i
			suites.Suites = append(suites.Suites, junitSuite{Name: f.File})
		}
		s := &suites.Suites[i]
		c := junitCase{Name: f.Rule + " " + f.Element, ClassName: tool}
		if f.Error {
			c.Failure = &junitFailure{Message: f.Message, Type: f.Rule, Text: f.location() + ": " + f.Message}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	if len(suites.Suites) == 0 {
		suites.Suites = []junitSuite{{Name: tool, Tests: 1, Cases: []junitCase{{Name: "no findings", ClassName: tool}}}}
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
