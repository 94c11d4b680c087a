package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// Exit statuses of the inspection verbs (services, inspect, events,
// validate, compare, lint): 0 when all is well, 1 for bad arguments or
// input that cannot be read, 2 when the command worked and found what it
// looks for (breaking changes, lint findings, invalid files or a server
// that differs).
const exitStatusHelp = `Exit status: 0 ok; 1 bad arguments or unreadable, malformed or wrong-version
input; 2 breaking changes (compare), suggestions (lint) or invalid files or
server mismatches (validate).`

// failf reports an error for a command and returns exit status 1.
func failf(stderr io.Writer, command, format string, args ...any) int {
	fmt.Fprintf(stderr, "registration %s: %s\n", command, fmt.Sprintf(format, args...))
	return 1
}

// usageFunc returns a flag set's Usage: the synopsis, what the command
// does, its flags and the exit statuses.
func usageFunc(fs *flag.FlagSet, synopsis, description string) func() {
	return func() {
		w := fs.Output()
		fmt.Fprintf(w, "usage: registration %s\n\n%s\n\nFlags:\n", synopsis, description)
		fs.PrintDefaults()
		fmt.Fprintf(w, "\n%s\n", exitStatusHelp)
	}
}

// readFiles reads the registration files a command names ("-" for
// standard input) with registration/load, which refuses any document that
// is not valid. On failure it reports the error and returns nil and the
// exit status.
func readFiles(command string, files []string, stderr io.Writer) (*loaded, int) {
	if len(files) == 0 {
		return nil, failf(stderr, command, "name at least one registration file")
	}
	set, err := load.Files(files)
	if err != nil {
		return nil, failf(stderr, command, "%v", err)
	}
	return &loaded{Set: set, services: set.Services}, 0
}

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}
