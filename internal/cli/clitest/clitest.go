// Package clitest reads the help the shared command-line grammar prints,
// for the tests that hold a binary's help and its documentation together.
package clitest

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// Flag is a flag as a help text lists it.
type Flag struct {
	Long, Short, Default string
}

var (
	flagLine    = regexp.MustCompile(`^\s+(?:-(\w), )?--([\w-]+)`)
	defaultText = regexp.MustCompile(`\(default "?([^")]*)"?\)$`)
)

// HelpFlags returns the flags of a help text's "Flags:" section, in order,
// with their defaults.
func HelpFlags(help string) ([]Flag, error) {
	_, section, ok := strings.Cut(help, "\nFlags:\n")
	if !ok {
		return nil, fmt.Errorf("the help has no Flags section")
	}
	section, _, _ = strings.Cut(section, "\n\n")
	var flags []Flag
	for _, l := range strings.Split(strings.TrimRight(section, "\n"), "\n") {
		m := flagLine.FindStringSubmatch(l)
		if m == nil {
			return nil, fmt.Errorf("not a flag: %q", l)
		}
		f := Flag{Short: m[1], Long: m[2]}
		if d := defaultText.FindStringSubmatch(l); d != nil {
			f.Default = d[1]
		}
		flags = append(flags, f)
	}
	return flags, nil
}

// FileFlags is HelpFlags for a help kept in a golden file; a test that
// cannot read it or find its flags fails there.
func FileFlags(t testing.TB, path string) []Flag {
	t.Helper()
	help, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flags, err := HelpFlags(string(help))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return flags
}
