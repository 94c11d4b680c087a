// Command registration inspects registration files written by
// protoc-gen-registration.
//
// Usage:
//
//	registration services [--format table|json|yaml] FILE...
//	registration inspect  [--format ...] SERVICE FILE...
//	registration events   [--format ...] FILE...
//	registration validate [--format ...] [--server ADDRESS [--timeout D] [--tls]] FILE...
//	registration compare  [--format ...] [--except RULE] OLD NEW | --against REV NEW
//	registration lint     [--format ...] [--disable RULE[=ELEMENT]] FILE...
//	registration watch    [--cmd COMMAND] [--output DIR]... [--debounce D] [PROTO_DIR...]
//	registration check    [--cmd COMMAND] [--output DIR]... [--fix | --restore]
//
// services prints one line per service: its package, methods, REST
// bindings, capabilities, dependencies and proto file. inspect prints
// everything about one service, events every event with the service and
// method that emit it. validate checks files against the JSON Schema and,
// with --server, a live server through gRPC server reflection. compare
// classifies every change between two versions as breaking or not, with
// rule IDs in the spirit of buf breaking; lint makes suggestions with rule
// IDs. Files may be per-file or aggregate registrations, JSON or YAML; a
// service found in several files is taken once, from the first. The format
// is a table on a terminal and JSON otherwise. watch regenerates on proto
// changes and check reports generated output that is out of date, with
// --fix and --restore to replace it atomically and to roll back.
//
// Exit status: 0 ok; 1 bad arguments or unreadable, malformed or
// wrong-version input; 2 breaking changes (compare), suggestions (lint),
// invalid files or server mismatches (validate), drift (check).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: registration COMMAND [flags] FILE...

Commands:
  services   list the services of registration files, one line each
  inspect    everything about one service: methods, bindings, capabilities, dependencies, events
  events     every event with the service and method that emit it
  validate   check files against the schema and, with --server, a live server (gRPC reflection)
  compare    classify the changes between two registrations; exit 2 on breaking ones
  lint       suggestions with rule IDs; exit 2 when there are some
  watch      regenerate whenever a proto changes; replace the output only after a good run
  check      regenerate into a staging directory; exit 2 on changed, missing, stale or untracked output
             (--fix replaces the output atomically, --restore brings the previous generation back)

Run "registration COMMAND --help" for a command's flags.
`

// run executes one command and returns the exit status: 0 on success, 1 on
// bad arguments or unreadable input.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "help" {
		fmt.Fprint(stderr, usage)
		if len(args) == 0 {
			return 1
		}
		return 0
	}
	switch args[0] {
	case "services":
		return services(args[1:], stdout, stderr)
	case "inspect":
		return inspect(args[1:], stdout, stderr)
	case "events":
		return events(args[1:], stdout, stderr)
	case "validate":
		return validate(args[1:], stdout, stderr)
	case "compare":
		return compareCmd(args[1:], stdout, stderr)
	case "lint":
		return lint(args[1:], stdout, stderr)
	case "watch":
		return watch(args[1:], stdout, stderr)
	case "check":
		return check(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "registration: unknown command %q\n\n%s", args[0], usage)
	return 1
}

// commandFlags returns a flag set with the --format flag every command has.
func commandFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("registration "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "output format: table, json or yaml (default: table on a terminal, json otherwise)")
	return fs, format
}

// outputFormat resolves the --format flag.
func outputFormat(flagValue string, stdout io.Writer) (string, error) {
	switch flagValue {
	case "table", "json", "yaml":
		return flagValue, nil
	case "":
		if f, ok := stdout.(*os.File); ok {
			if info, err := f.Stat(); err == nil && info.Mode()&os.ModeCharDevice != 0 {
				return "table", nil
			}
		}
		return "json", nil
	}
	return "", fmt.Errorf("flag --format=%q: want table, json or yaml", flagValue)
}

// parseFlags parses a command's flags, reporting --help as success.
func parseFlags(fs *flag.FlagSet, args []string) (done bool, status int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, 0
		}
		return true, 1
	}
	return false, 0
}
