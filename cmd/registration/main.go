// Command registration reads registration files written by
// protoc-gen-registration and answers questions about them, and keeps the
// generated output of a project up to date.
//
//	registration services [flags] FILE... | --etcd URLS [--watch]
//	registration inspect  [flags] SERVICE FILE... | SERVICE --etcd URLS
//	registration events   [flags] FILE... | --etcd URLS
//	registration validate [flags] FILE...
//	registration compare  [flags] OLD NEW | --against REV NEW
//	registration lint     [flags] FILE...
//	registration export   [flags] --to TARGET FILE|DIR... | --to TARGET --etcd URLS
//	registration watch    [flags] [PROTO_DIR...]
//	registration check    [flags]
//	registration publish  [flags] --etcd URLS FILE|DIR...
//	registration instances [flags] --etcd URLS SERVICE [--serving] [--watch]
//	registration help [VERB] | version | completion bash|zsh|fish
//
// It only wires. The command line is the grammar the project's binaries
// share (package internal/cli, on cobra); each verb is a cobra command in
// a file of its own that hands its flags and arguments to a package
// (registration/load reads every file, registration/compare and
// registration/lint judge, registration/registry compares with a live
// server, internal/regen generates, registration/registry/etcd reads and
// writes etcd) and prints the result as a table, JSON or YAML.
// docs/registration.md, docs/watch-and-check.md and docs/etcd.md are the
// manual.
//
// Exit status, for every verb: 0 ok; 1 error (bad arguments, a file that
// cannot be read or that the reader refuses, a failure); 2 findings:
// breaking changes (compare), suggestions (lint), invalid files or server
// mismatches (validate), drift (check).
package main

import (
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/ovasabi/protoc-gen-registration/internal/cli"
)

// programName is the name in messages and help; a constant, so that it
// does not depend on how the binary was started.
const programName = "registration"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole program, and returns its exit status.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run with a context that watch and check stop at, besides
// SIGINT and SIGTERM.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetContext(ctx)
	return cli.Run(root, args, stdout, stderr)
}

// Command groups of the top-level help.
const (
	readGroup = "read"
	genGroup  = "generate"
	etcdGroup = "etcd"
)

const description = `registration reads registration files written by protoc-gen-registration
(per proto file or aggregate, JSON or YAML, in any mix; "-" is standard
input) and answers questions about them; watch and check keep a project's
generated output up to date; publish writes registrations into etcd, where
services, inspect and events read them with --etcd, and instances lists and
watches the running instances that processes register there. Every file is
read by the one reader of the project (registration/load), which refuses a
document with any problem and says where it is: FILE:LINE:COLUMN: at
POINTER: MESSAGE.

Flags may come before, between or after the arguments; everything after
"--" is an argument.`

const rootExamples = `  registration services gen/aggregate/registry.registration.json
  registration inspect LibraryService gen/aggregate/registry.registration.json -o yaml
  registration compare --against origin/main gen/aggregate/registry.registration.json
  registration check
  registration help compare`

// rootTopics follow the flags in the top-level help.
const rootTopics = `
Long flags also take one dash (-format json), as before the binaries shared
one grammar.

Exit status, the same for every verb:
  0  ok: nothing to report
  1  error: bad arguments, a file that cannot be read or that the reader
     refuses, a failed generation, an unreachable server or etcd
  2  findings: breaking changes (compare), suggestions (lint), invalid files
     or server mismatches (validate), drift (check)
`

// newRoot returns the registration command with every verb; cli.New adds
// help, version and completion.
func newRoot() *cobra.Command {
	// The verbs in the order a reader meets them, not alphabetical.
	cobra.EnableCommandSorting = false
	root := cli.New(programName, "Inspect registration files and keep generated output up to date", description)
	root.Example = rootExamples
	root.AddGroup(&cobra.Group{ID: readGroup, Title: "Reading registrations:"},
		&cobra.Group{ID: genGroup, Title: "Generated output:"},
		&cobra.Group{ID: etcdGroup, Title: "Registrations and instances in etcd:"})
	root.AddCommand(servicesCommand(), inspectCommand(), eventsCommand(), validateCommand(), compareCommand(), lintCommand(), exportCommand(),
		watchCommand(), checkCommand(),
		publishCommand(), instancesCommand())
	root.Annotations = map[string]string{topicsKey: rootTopics}
	addHelpTopics(root)
	return root
}

// topicsKey is the annotation whose text a command's help prints after
// its flags: the exit statuses, and for some verbs more.
const topicsKey = "topics"

// addHelpTopics makes every command's help end with its topics.
func addHelpTopics(root *cobra.Command) {
	help := root.HelpFunc()
	root.SetHelpFunc(func(cmd *cobra.Command, args []string) {
		help(cmd, args)
		if topics := cmd.Annotations[topicsKey]; topics != "" {
			io.WriteString(cmd.OutOrStdout(), topics)
		}
	})
}
