package plugin

import (
	"fmt"
	"strings"
	"sync/atomic"

	"go.yaml.in/yaml/v3"
	"google.golang.org/genproto/googleapis/api/annotations"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/internal/yamlnode"
)

// apiRule is one rule of the http section of a YAML service configuration
// (google.api.Service), with where it was written.
type apiRule struct {
	Selector string
	Rule     *annotations.HttpRule
	Pos      pos         // where the rule is written
	used     atomic.Bool // set when a method matches; files are read concurrently
}

// parseAPIConfig reads the http.rules of a YAML service configuration, the
// format that grpc-gateway's grpc_api_configuration and Google's API tooling
// read. Sections other than http are ignored; within http, every field of
// google.api.HttpRule is read and any other field is an error that names its
// line.
func parseAPIConfig(name string, data []byte) ([]*apiRule, error) {
	root, err := yamlnode.DecodeOne(name, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, fmt.Errorf("%s: empty service configuration", name)
	}
	p := &configParser{file: name}
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "", "want a mapping (a google.api.Service), got %s", kindName(root))
	}
	http := lookup(root, "http")
	if http == nil {
		return nil, p.errorf(root, "", "no http section: nothing to configure")
	}
	if http.Kind != yaml.MappingNode {
		return nil, p.errorf(http, "http", "want a mapping, got %s", kindName(http))
	}
	var rules []*apiRule
	for i := 0; i+1 < len(http.Content); i += 2 {
		key, val := http.Content[i], http.Content[i+1]
		switch key.Value {
		case "fully_decode_reserved_expansion":
		case "rules":
			if val.Kind != yaml.SequenceNode {
				return nil, p.errorf(val, "http.rules", "want a list of rules, got %s", kindName(val))
			}
			for j, item := range val.Content {
				where := fmt.Sprintf("http.rules[%d]", j)
				r, selector, err := p.rule(item, where, true)
				if err != nil {
					return nil, err
				}
				rules = append(rules, &apiRule{Selector: selector, Rule: r, Pos: p.pos(item)})
			}
		default:
			return nil, p.errorf(key, "http", "unknown field %s", excerpt.Quote(key.Value))
		}
	}
	return rules, nil
}

// configParser reads the YAML files the plugin takes, naming the position
// of every problem.
type configParser struct{ file string }

func (p *configParser) pos(n *yaml.Node) pos {
	return pos{file: p.file, line: n.Line, col: n.Column}
}

func (p *configParser) errorf(n *yaml.Node, where, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if where != "" {
		msg = where + ": " + msg
	}
	return fmt.Errorf("%s: %s", p.pos(n), msg)
}

// rule reads one HttpRule mapping. Top-level rules need a selector;
// additional bindings may not have one.
func (p *configParser) rule(n *yaml.Node, where string, top bool) (*annotations.HttpRule, string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, "", p.errorf(n, where, "want a mapping, got %s", kindName(n))
	}
	r := &annotations.HttpRule{}
	var selector string
	patterns := 0
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		field := where + "." + key.Value
		if key.Value == "custom" {
			custom, err := p.custom(val, field)
			if err != nil {
				return nil, "", err
			}
			r.Pattern = &annotations.HttpRule_Custom{Custom: custom}
			patterns++
			continue
		}
		if key.Value == "additional_bindings" {
			if !top {
				return nil, "", p.errorf(key, where, "additional_bindings may not be nested")
			}
			if val.Kind != yaml.SequenceNode {
				return nil, "", p.errorf(val, field, "want a list of rules, got %s", kindName(val))
			}
			for j, item := range val.Content {
				add, _, err := p.rule(item, fmt.Sprintf("%s[%d]", field, j), false)
				if err != nil {
					return nil, "", err
				}
				r.AdditionalBindings = append(r.AdditionalBindings, add)
			}
			continue
		}
		s, err := p.scalar(val, field)
		if err != nil {
			return nil, "", err
		}
		switch key.Value {
		case "selector":
			if !top {
				return nil, "", p.errorf(key, where, "an additional binding takes the selector of its rule")
			}
			selector = s
		case "get":
			r.Pattern, patterns = &annotations.HttpRule_Get{Get: s}, patterns+1
		case "put":
			r.Pattern, patterns = &annotations.HttpRule_Put{Put: s}, patterns+1
		case "post":
			r.Pattern, patterns = &annotations.HttpRule_Post{Post: s}, patterns+1
		case "delete":
			r.Pattern, patterns = &annotations.HttpRule_Delete{Delete: s}, patterns+1
		case "patch":
			r.Pattern, patterns = &annotations.HttpRule_Patch{Patch: s}, patterns+1
		case "body":
			r.Body = s
		case "response_body":
			r.ResponseBody = s
		default:
			return nil, "", p.errorf(key, where, "unknown field %s", excerpt.Quote(key.Value))
		}
	}
	switch {
	case top && selector == "":
		return nil, "", p.errorf(n, where, "no selector: name the method the rule applies to")
	case patterns == 0:
		return nil, "", p.errorf(n, where, "no HTTP method: set one of get, put, post, delete, patch or custom")
	case patterns > 1:
		return nil, "", p.errorf(n, where, "more than one HTTP method: set only one of get, put, post, delete, patch or custom")
	}
	return r, selector, nil
}

func (p *configParser) custom(n *yaml.Node, where string) (*annotations.CustomHttpPattern, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errorf(n, where, "want a mapping with kind and path, got %s", kindName(n))
	}
	c := &annotations.CustomHttpPattern{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		s, err := p.scalar(val, where+"."+key.Value)
		if err != nil {
			return nil, err
		}
		switch key.Value {
		case "kind":
			c.Kind = s
		case "path":
			c.Path = s
		default:
			return nil, p.errorf(key, where, "unknown field %s", excerpt.Quote(key.Value))
		}
	}
	return c, nil
}

func (p *configParser) scalar(n *yaml.Node, where string) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", p.errorf(n, where, "want a string, got %s", kindName(n))
	}
	return n.Value, nil
}

// lookup returns the value of key in a mapping node, or nil.
func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	return excerpt.Quote(n.Value)
}

// matches reports whether a selector names method, the fully qualified
// method name: exactly, or through a trailing "*" that stands for any rest
// ("library.v1.LibraryService.*"), as google.api selectors allow.
func (r *apiRule) matches(method string) bool {
	if prefix, ok := strings.CutSuffix(r.Selector, "*"); ok {
		return strings.HasPrefix(method, prefix)
	}
	return r.Selector == method
}
