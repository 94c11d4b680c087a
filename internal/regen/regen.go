// Package regen runs a code generation command so that its output is never
// half-written: the command writes into a staging directory, the result is
// compared with the output directories of the working tree (drift), and only
// a complete, successful generation replaces them, one directory at a time
// with an atomic exchange, keeping the generation it replaced for rollback.
//
// # Generation
//
// A Generator runs either `buf generate --template T -o STAGING` (buf writes
// every plugin's out: directory under STAGING) or any shell command, run with
// `sh -c` in the working directory, that writes under the staging directory,
// which it is given two ways: the environment variable REGISTRATION_OUT and
// the placeholder {out} in the command, replaced by the shell-quoted path.
// Either way the staging directory mirrors the working directory: the output
// directory example/gen/registration is generated as
// STAGING/example/gen/registration.
//
// # Output directories
//
// The output directories (Config.Outputs, by default every out: directory of
// the buf template) belong wholly to the generation, as with buf's
// `clean: true`: a file in them that the generation does not write is stale.
//
// # State
//
// Staging directories, the previous generation and a lock file live in the
// state directory, .registration/ in the working directory by default, on
// the same file system as the outputs so that renames are atomic. It holds a
// .gitignore that ignores it whole and its name starts with a dot, so git and
// the go tool leave it alone.
//
// # Atomic replacement and rollback
//
// Apply exchanges each staged output directory with the working tree's, on
// Linux with renameat2(RENAME_EXCHANGE), which swaps the two names in one
// step: a reader sees the old directory or the new one, never a mixture, a
// missing directory or a half-written file. Where the exchange is not
// supported (another OS, a file system without it) it falls back to two
// renames, old away and new in, so for the moment between them the
// directory does not exist: a reader gets "no such file", never a partial
// file. The replaced directories go to STATE/previous; Restore exchanges them
// back, so running Restore twice re-applies the rejected generation. If one
// directory of several cannot be replaced, those already replaced are
// exchanged back and the error is returned: the output stays the last good
// generation.
//
// # Drift, and files that do not look generated
//
// Generation.Compare compares a staged generation with the output
// directories (a Drift). Drift.Apply replaces them only when that takes
// away no file that does not look generated (LooksGenerated): a stale
// file without "DO NOT EDIT" or "@generated" near its start, and not a
// registration document, is more likely a source in a wrongly named output
// directory than a file an earlier generation wrote, and it is refused
// with a *ForeignError. Generation.Apply replaces without asking.
//
// # Check and Follow
//
// Check and Follow are the check and watch verbs of the registration
// command, which only binds their flags to a CheckConfig or a FollowConfig
// and maps the result to an exit status. Check reports drift as a table,
// JSON or YAML (Report), or fixes or restores the output; Follow watches
// the proto trees (Watch) and applies every good run, printing what
// changed in the files and in the registrations. Both replace the output
// with Drift.Apply, so neither takes away files that do not look
// generated.
package regen

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// OutEnv is the environment variable that holds the staging directory for a
// generation command. The command must write its output under it, at the
// same relative paths as in the working directory.
const OutEnv = "REGISTRATION_OUT"

// OutPlaceholder is replaced in a generation command by the shell-quoted
// staging directory.
const OutPlaceholder = "{out}"

// DefaultTemplate is the buf generation template used when none is named.
const DefaultTemplate = "buf.gen.yaml"

// DefaultStateDir is the state directory, relative to the working directory.
const DefaultStateDir = ".registration"

// DefaultTimeout bounds one generation run.
const DefaultTimeout = 2 * time.Minute

// Config says how to generate and where the output goes.
type Config struct {
	// Dir is the working directory: the command runs there and every other
	// path is relative to it. Empty means the current directory.
	Dir string
	// Template is the buf generation template, relative to Dir. Empty means
	// DefaultTemplate. With Command empty it is what buf generates from;
	// otherwise it is read, when it exists, for the default Outputs.
	Template string
	// Command is a shell command that generates into $REGISTRATION_OUT or
	// {out}. Empty means buf generate with Template.
	Command string
	// Outputs are the output directories, relative to Dir. Empty means every
	// out: directory of Template.
	Outputs []string
	// StateDir holds staging directories and the previous generation.
	// Empty means DefaultStateDir in Dir; relative paths are relative to Dir.
	StateDir string
	// Timeout bounds one generation run; zero means DefaultTimeout.
	Timeout time.Duration
	// Buf is the buf executable; empty means "buf" found on PATH.
	Buf string
}

// Generator generates into staging directories and replaces the output
// directories with a staged generation. Its methods may be called from one
// goroutine at a time; different Generators (and processes) on the same
// state directory serialize Apply and Restore with a lock file.
type Generator struct {
	dir      string // absolute
	template string // relative to dir
	command  string
	buf      string // executable, buf mode only
	outputs  []string
	state    string // absolute
	timeout  time.Duration
	tmpl     *Template // nil when the template file does not exist
}

// New checks cfg and returns a Generator: the working directory must exist,
// buf must be on PATH when it is used, and the output directories must be
// relative paths inside the working directory that contain no input.
func New(cfg Config) (*Generator, error) {
	dir := cfg.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(abs); err != nil {
		return nil, fmt.Errorf("working directory: %w", err)
	} else if !info.IsDir() {
		return nil, fmt.Errorf("working directory %s is not a directory", dir)
	}
	g := &Generator{dir: abs, template: cfg.Template, command: cfg.Command, timeout: cfg.Timeout}
	if g.template == "" {
		g.template = DefaultTemplate
	}
	if g.timeout <= 0 {
		g.timeout = DefaultTimeout
	}
	tmpl, err := ReadTemplate(filepath.Join(abs, g.template))
	switch {
	case err == nil:
		g.tmpl = tmpl
	case errors.Is(err, os.ErrNotExist) && g.command != "":
		// A command need not use a buf template.
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("buf template %s does not exist in %s (name one with --template, or a command with --cmd)", g.template, abs)
	default:
		return nil, err
	}
	if g.command == "" {
		g.buf = cfg.Buf
		if g.buf == "" {
			g.buf = "buf"
		}
	}
	outputs := cfg.Outputs
	if len(outputs) == 0 {
		if g.tmpl == nil {
			return nil, errors.New("no output directories: name them with --output (there is no buf template to read them from)")
		}
		outputs = g.tmpl.Outputs
		if len(outputs) == 0 {
			return nil, fmt.Errorf("%s: no plugin has an out: directory", g.template)
		}
	}
	if g.outputs, err = cleanOutputs(outputs); err != nil {
		return nil, err
	}
	state := cfg.StateDir
	if state == "" {
		state = DefaultStateDir
	}
	if !filepath.IsAbs(state) {
		state = filepath.Join(abs, state)
	}
	g.state = state
	for _, o := range g.outputs {
		if within(filepath.Join(abs, o), state) || within(state, filepath.Join(abs, o)) {
			return nil, fmt.Errorf("output directory %s and state directory %s overlap", o, state)
		}
	}
	if g.tmpl != nil && g.command == "" {
		for _, in := range g.tmpl.Inputs {
			for _, o := range g.outputs {
				if within(filepath.Join(abs, in), filepath.Join(abs, o)) {
					return nil, fmt.Errorf("input directory %s is inside output directory %s, which generation replaces whole", in, o)
				}
			}
		}
	}
	return g, nil
}

// CheckTool reports a generation tool that cannot be run: buf missing from
// PATH. A command of the user's own is checked when it runs (a shell that
// cannot find it exits with status 127).
func (g *Generator) CheckTool() error {
	if g.command != "" {
		return nil
	}
	if _, err := exec.LookPath(g.buf); err != nil {
		return fmt.Errorf("%s not found on PATH: install buf, or generate with a command of your own (--cmd)", g.buf)
	}
	return nil
}

// Dir returns the absolute working directory.
func (g *Generator) Dir() string { return g.dir }

// Outputs returns the output directories, relative to Dir, sorted.
func (g *Generator) Outputs() []string { return slices.Clone(g.outputs) }

// StateDir returns the absolute state directory.
func (g *Generator) StateDir() string { return g.state }

// Template returns the parsed buf template, or nil when it does not exist.
func (g *Generator) Template() *Template { return g.tmpl }

// TemplatePath returns the template's path relative to Dir.
func (g *Generator) TemplatePath() string { return g.template }

// Describe returns the generation command as a user would type it.
func (g *Generator) Describe() string {
	if g.command != "" {
		return g.command
	}
	return "buf generate --template " + g.template
}

// cleanOutputs validates output directories and returns them cleaned,
// sorted, without duplicates and without directories inside others (the
// outer one is replaced whole anyway).
func cleanOutputs(outputs []string) ([]string, error) {
	var out []string
	for _, o := range outputs {
		c := filepath.Clean(o)
		if filepath.IsAbs(c) || c == "." || c == ".." || strings.HasPrefix(c, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("output directory %q: want a relative path inside the working directory", o)
		}
		out = append(out, c)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	var kept []string
	for _, o := range out {
		if len(kept) > 0 && within(o, kept[len(kept)-1]) {
			continue
		}
		kept = append(kept, o)
	}
	return kept, nil
}

// within reports whether path is dir or inside it. Both are cleaned paths of
// the same kind (both absolute or both relative).
func within(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator))
}

// displayPath returns path relative to base when it is inside it, for
// messages.
func displayPath(base, path string) string {
	if r, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}

// Template is what regen reads from a buf generation template (v1 or v2).
type Template struct {
	// Outputs are the plugins' out: directories, sorted, once each.
	Outputs []string
	// Inputs are the directories of the template's inputs: (v2).
	Inputs []string
	// Files are files that plugin options name (values ending in .yaml,
	// .yml or .json, such as capability_rules=rules.yaml), relative to the
	// directory buf runs in.
	Files []string
}

// ReadTemplate reads a buf generation template.
func ReadTemplate(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Plugins []struct {
			Out string    `yaml:"out"`
			Opt yaml.Node `yaml:"opt"`
		} `yaml:"plugins"`
		Inputs []struct {
			Directory string `yaml:"directory"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	t := &Template{}
	for _, p := range raw.Plugins {
		if p.Out != "" {
			t.Outputs = append(t.Outputs, filepath.Clean(p.Out))
		}
		var opts []string
		switch p.Opt.Kind {
		case yaml.ScalarNode:
			opts = strings.Split(p.Opt.Value, ",")
		case yaml.SequenceNode:
			for _, n := range p.Opt.Content {
				opts = append(opts, strings.Split(n.Value, ",")...)
			}
		}
		for _, o := range opts {
			_, v, ok := strings.Cut(o, "=")
			if !ok {
				continue
			}
			switch strings.ToLower(filepath.Ext(v)) {
			case ".yaml", ".yml", ".json":
				t.Files = append(t.Files, filepath.Clean(v))
			}
		}
	}
	for _, in := range raw.Inputs {
		if in.Directory != "" {
			t.Inputs = append(t.Inputs, filepath.Clean(in.Directory))
		}
	}
	for _, s := range []*[]string{&t.Outputs, &t.Inputs, &t.Files} {
		slices.Sort(*s)
		*s = slices.Compact(*s)
	}
	return t, nil
}

// WorkspaceDirs returns the module directories that buf.yaml (v2 modules:)
// and buf.work.yaml (directories:) in dir declare, relative to dir. Missing
// files declare none.
func WorkspaceDirs(dir string) ([]string, error) {
	var dirs []string
	for _, f := range []struct {
		name string
		key  string
	}{{"buf.yaml", "modules"}, {"buf.work.yaml", "directories"}} {
		data, err := os.ReadFile(filepath.Join(dir, f.name))
		if errors.Is(err, os.ErrNotExist) {
			continue
		} else if err != nil {
			return nil, err
		}
		var raw struct {
			Modules []struct {
				Path string `yaml:"path"`
			} `yaml:"modules"`
			Directories []string `yaml:"directories"`
		}
		if err := yaml.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("%s: %v", f.name, err)
		}
		for _, m := range raw.Modules {
			if m.Path != "" {
				dirs = append(dirs, filepath.Clean(m.Path))
			}
		}
		for _, d := range raw.Directories {
			dirs = append(dirs, filepath.Clean(d))
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs), nil
}
