package main

// description is the help's first paragraph.
const description = `Draws the dependency graph of the services in registration files written by
protoc-gen-registration (per file or aggregate, JSON or YAML; "-" is
standard input) as JSON, DOT (Graphviz) or Mermaid. Dependencies are
resolved by service full name across every file; targets that no file
declares are external nodes. Flags may come before, between or after the
files; everything after "--" is a file.`

// examples is the help's Examples section.
const examples = `  registration-graph gen/aggregate/registry.registration.json
  registration-graph -o dot gen/aggregate/registry.registration.json | dot -Tsvg > graph.svg
  registration-graph gen/*/v1/*.registration.json --format mermaid --service library.v1.LibraryService --depth 2
  registration-graph --package 'library.*' --kind resource,declared gen/aggregate/registry.registration.json
  cat gen/aggregate/registry.registration.json | registration-graph --format dot -
  registration-graph --fail-on-cycle gen/aggregate/registry.registration.json`

// topics follow the flags in the root command's help: what the flags do
// together, and the exit statuses.
const topics = `
Filters apply in this order: --kind keeps edges of those kinds; --package
keeps the services of those packages (and the external targets they depend
on); --service keeps those services and the services within --depth edges
of them, following dependencies, dependents or both (--direction). Names
and packages may be globs with * (path.Match syntax). A --service or
--package that matches no service is an error, and so are --depth and
--direction without --service. Cycles are found in what remains.

Mermaid renders at most 500 edges and 50,000 characters by default: past
either, --format mermaid writes nothing and exits 1 with the figures, unless
--mermaid-limits is warn (write it and warn) or off.

Cycles: the output lists every elementary cycle, at most --max-cycles;
--fail-on-cycle also prints each on stderr and exits 2, the graph written
all the same.

Long flags also take one dash (-format dot, -fail-on-cycle), as before the
binaries shared one grammar.

Exit status:
  0  the graph was written (with --fail-on-cycle: and it has no cycle)
  1  bad arguments, unreadable, malformed or invalid input, or a Mermaid
     flowchart past Mermaid's default limits
  2  --fail-on-cycle, and the graph has a cycle
`
