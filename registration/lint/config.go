package lint

import (
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/internal/yamlnode"
)

// Names of rule sets that a configuration's use list may hold besides
// rule IDs.
const (
	// SetDefault is the rules on by default (Rule.Default).
	SetDefault = "DEFAULT"
	// SetAll is every rule.
	SetAll = "ALL"
)

// Config chooses which rules run and on which files, as the lint section
// of buf.yaml does. The zero Config runs the default rules everywhere.
type Config struct {
	// Use lists the rules to run: rule IDs, SetDefault or SetAll. Empty
	// is SetDefault.
	Use []string
	// Except lists rule IDs not to run, whatever Use says.
	Except []string
	// Ignore lists proto files and directories, relative to the proto
	// root as registrations name files, whose services no rule is run on.
	Ignore []string
	// IgnoreOnly maps a rule ID to the files and directories it is not run
	// on.
	IgnoreOnly map[string][]string
}

// Enabled reports whether c runs a rule.
func (c *Config) Enabled(id string) bool {
	r := rule(id)
	if r == nil || slices.Contains(c.Except, id) {
		return false
	}
	if len(c.Use) == 0 {
		return r.Default
	}
	return slices.Contains(c.Use, SetAll) || slices.Contains(c.Use, id) || (r.Default && slices.Contains(c.Use, SetDefault))
}

// Apply returns the findings of the rules c runs that no ignore path
// covers, in their order; it is never nil, so that an empty result encodes
// as an empty list. A finding's File is matched against the paths: a path
// covers itself and, as a directory, every file below it.
func (c *Config) Apply(findings []Finding) []Finding {
	out := []Finding{}
	for _, f := range findings {
		if c.Enabled(f.Rule) && !covers(c.Ignore, f.File) && !covers(c.IgnoreOnly[f.Rule], f.File) {
			out = append(out, f)
		}
	}
	return out
}

// covers reports whether one of paths is file or a directory above it.
// "." covers every file.
func covers(paths []string, file string) bool {
	for _, p := range paths {
		if p == "." || p == file || strings.HasPrefix(file, p+"/") {
			return true
		}
	}
	return false
}

// ReadConfig reads a configuration file with ParseConfig.
func ReadConfig(name string) (*Config, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return ParseConfig(name, data)
}

// ParseConfig reads a configuration file, named name in errors:
//
//	version: v1           # optional
//	lint:
//	  use: [DEFAULT, READ_METHOD_WITHOUT_NO_SIDE_EFFECTS]
//	  except: [DUPLICATE_ROUTE]
//	  ignore: [google/legacy, vendor/a/v1/a.proto]
//	  ignore_only:
//	    METHOD_WITHOUT_BINDING: [internal]
//
// Decoding is strict: an unknown key, a key given twice, a value of the
// wrong shape, an unknown rule ID and a path that is absolute or leaves
// the proto root are errors, each as "name:line:col: msg", all of them
// joined. An empty file is the default configuration.
func ParseConfig(name string, data []byte) (*Config, error) {
	root, err := yamlnode.DecodeOne(name, data)
	if err != nil || root == nil {
		return &Config{}, err
	}
	p := &configParser{file: name}
	c := &Config{}
	for key, value := range p.mapping(root, "", []string{"version", "lint"}) {
		switch key.Value {
		case "version":
			if v, ok := p.scalar(value, "version"); ok && v != "v1" {
				p.errorf(value, "version", "want v1; got %s", excerpt.Quote(v))
			}
		case "lint":
			p.lint(value, c)
		}
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return c, nil
}

// configParser collects the problems of a configuration file.
type configParser struct {
	file string
	errs []error
}

func (p *configParser) errorf(n *yaml.Node, where, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	p.errs = append(p.errs, fmt.Errorf("%s:%d:%d: %s", p.file, n.Line, n.Column, msg))
}

// lint reads the lint section into c.
func (p *configParser) lint(n *yaml.Node, c *Config) {
	for key, value := range p.mapping(n, "lint", []string{"use", "except", "ignore", "ignore_only"}) {
		where := "lint." + key.Value
		switch key.Value {
		case "use":
			c.Use = p.rules(value, where, true)
		case "except":
			c.Except = p.rules(value, where, false)
		case "ignore":
			c.Ignore = p.paths(value, where)
		case "ignore_only":
			c.IgnoreOnly = make(map[string][]string)
			for id, paths := range p.mapping(value, where, nil) {
				if rule(id.Value) == nil {
					p.errorf(id, where, "unknown rule %s", excerpt.Quote(id.Value))
					continue
				}
				c.IgnoreOnly[id.Value] = p.paths(paths, where+"."+id.Value)
			}
		}
	}
}

// mapping returns the keys and values of a mapping in order, recording
// as problems a node that is not a mapping, a key given twice, and, when
// known is not nil, a key not in known. Null is an empty mapping.
func (p *configParser) mapping(n *yaml.Node, where string, known []string) func(yield func(key, value *yaml.Node) bool) {
	return func(yield func(key, value *yaml.Node) bool) {
		n = resolve(n)
		if isNull(n) {
			return
		}
		if n.Kind != yaml.MappingNode {
			p.errorf(n, where, "want a mapping; got %s", kindName(n))
			return
		}
		seen := make(map[string]bool)
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, value := n.Content[i], n.Content[i+1]
			switch {
			case key.Kind != yaml.ScalarNode:
				p.errorf(key, where, "want a key; got %s", kindName(key))
				continue
			case seen[key.Value]:
				p.errorf(key, where, "key %s given twice", excerpt.Quote(key.Value))
				continue
			case known != nil && !slices.Contains(known, key.Value):
				p.errorf(key, where, "unknown key %s; want one of %s", excerpt.Quote(key.Value), strings.Join(known, ", "))
				continue
			}
			seen[key.Value] = true
			if !yield(key, value) {
				return
			}
		}
	}
}

// list returns the scalars of a sequence. Null is an empty list.
func (p *configParser) list(n *yaml.Node, where string) []*yaml.Node {
	n = resolve(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, where, "want a list; got %s", kindName(n))
		return nil
	}
	var out []*yaml.Node
	for _, item := range n.Content {
		item = resolve(item)
		if _, ok := p.scalar(item, where); ok {
			out = append(out, item)
		}
	}
	return out
}

func (p *configParser) scalar(n *yaml.Node, where string) (string, bool) {
	n = resolve(n)
	if n.Kind != yaml.ScalarNode || isNull(n) {
		p.errorf(n, where, "want a string; got %s", kindName(n))
		return "", false
	}
	return n.Value, true
}

// rules reads a list of rule IDs and, when sets is true, rule set names.
func (p *configParser) rules(n *yaml.Node, where string, sets bool) []string {
	var ids []string
	for _, item := range p.list(n, where) {
		id := item.Value
		if rule(id) == nil && !(sets && (id == SetDefault || id == SetAll)) {
			p.errorf(item, where, "unknown rule %s", excerpt.Quote(id))
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// paths reads a list of proto paths, cleaned.
func (p *configParser) paths(n *yaml.Node, where string) []string {
	var out []string
	for _, item := range p.list(n, where) {
		clean := path.Clean(item.Value)
		if item.Value == "" || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
			p.errorf(item, where, "path %s: want a file or directory relative to the proto root", excerpt.Quote(item.Value))
			continue
		}
		out = append(out, clean)
	}
	return out
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// kindName names what a node holds, for messages.
func kindName(n *yaml.Node) string {
	switch {
	case isNull(n):
		return "null"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	}
	return excerpt.Quote(n.Value)
}
