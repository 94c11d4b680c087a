// Command registration inspects registration files written by
// protoc-gen-registration.
//
// Usage:
//
//	registration services [--format table|json|yaml] FILE...
//
// services prints one line per service: its package, how many methods and
// REST bindings it has, and the proto file that declares it. A service found
// in several files (per-file and aggregate output) is listed once. The
// format is a table on a terminal and JSON otherwise.
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
