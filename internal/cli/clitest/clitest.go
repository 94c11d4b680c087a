// Package clitest reads the help the shared command-line grammar prints,
// for the tests that hold a binary's help and its documentation together.
package clitest

import (
	"fmt"
	"regexp"
	"strings"
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
