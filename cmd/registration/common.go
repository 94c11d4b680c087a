package main

import (
	"errors"
	"fmt"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// readFiles reads the registration files a verb names ("-" for standard
// input) with registration/load, which refuses any document that is not
// valid, and merges them. The verbs that call it (services, inspect,
// events, lint) use the services alone, so the reader steps over the
// messages and enums, most of a large aggregate; validate checks them.
func readFiles(files []string) (*load.Set, error) {
	if len(files) == 0 {
		return nil, cli.Usagef("name at least one registration file")
	}
	return load.Reader{ServicesOnly: true}.Files(files)
}

// findService finds a service by full name or, when it is unique, by short
// name.
func findService(set *load.Set, name string) (*registration.Service, error) {
	s, err := set.Find(name)
	if errors.Is(err, load.ErrNoService) {
		return nil, fmt.Errorf(`%v (run "registration services" to list them)`, err)
	}
	return s, err
}

// readExit is the exit statuses of services, inspect and events.
const readExit = `
Exit status:
  0  ok
  1  bad arguments, or a file that cannot be read or that the reader refuses,
     or (--etcd) etcd unreachable within --etcd-timeout
`

// stdinHelp says what every verb that reads registration files reads.
const stdinHelp = `Files are per proto file or aggregate, JSON or YAML, in any mix ("-" is
standard input); a service found in several files is taken once, from the
first.`
