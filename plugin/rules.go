package plugin

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ovasabi/protoc-gen-registration/inference"
	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/internal/yamlnode"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// parseCapabilityRules reads a capability rule file:
//
//	rules:
//	  - capability: user_mgmt
//	    methods: ["*User", "*Users"]   # globs on the method's name, or on its full name with a dot
//	  - capability: authentication
//	    regexp: '\.(Authenticate|RefreshToken|Login|Logout)$'  # on the full name
//	  - capability: notification
//	    methods: ["notify.v1.*.*"]
//	    kinds: [create, custom]         # only methods of these kinds
//
// A rule needs a capability and at least one of methods and regexp. Every
// error names the file, line and column.
func parseCapabilityRules(name string, data []byte) ([]inference.CapabilityRule, error) {
	root, err := yamlnode.DecodeOne(name, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, fmt.Errorf("%s: empty rule file", name)
	}
	p := &configParser{file: name}
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "", "want a mapping with a rules list, got %s", kindName(root))
	}
	var rules []inference.CapabilityRule
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if key.Value != "rules" {
			return nil, p.errorf(key, "", "unknown field %s", excerpt.Quote(key.Value))
		}
		if val.Kind != yaml.SequenceNode {
			return nil, p.errorf(val, "rules", "want a list of rules, got %s", kindName(val))
		}
		for j, item := range val.Content {
			r, err := p.capabilityRule(item, fmt.Sprintf("rules[%d]", j))
			if err != nil {
				return nil, err
			}
			rules = append(rules, r)
		}
	}
	return rules, nil
}

var methodKinds = []string{
	registration.KindGet, registration.KindList, registration.KindCreate, registration.KindUpdate, registration.KindDelete,
	registration.KindBatchGet, registration.KindBatchCreate, registration.KindBatchUpdate, registration.KindBatchDelete,
	registration.KindSearch, registration.KindWatch, registration.KindImport, registration.KindExport, registration.KindCustom,
}

func (p *configParser) capabilityRule(n *yaml.Node, where string) (inference.CapabilityRule, error) {
	var r inference.CapabilityRule
	if n.Kind != yaml.MappingNode {
		return r, p.errorf(n, where, "want a mapping, got %s", kindName(n))
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		field := where + "." + key.Value
		switch key.Value {
		case "capability":
			s, err := p.scalar(val, field)
			if err != nil {
				return r, err
			}
			r.Capability = s
		case "regexp":
			s, err := p.scalar(val, field)
			if err != nil {
				return r, err
			}
			re, err := regexp.Compile(s)
			if err != nil {
				return r, p.errorf(val, field, "invalid regular expression %s: %s", excerpt.Quote(s), regexpError(err))
			}
			r.Regexp = re
		case "methods", "kinds":
			list, err := p.strings(val, field)
			if err != nil {
				return r, err
			}
			for j, s := range list {
				item := val.Content[j]
				if key.Value == "kinds" {
					if !slices.Contains(methodKinds, s) {
						return r, p.errorf(item, fmt.Sprintf("%s[%d]", field, j), "unknown method kind %s; known kinds: %s", excerpt.Quote(s), strings.Join(methodKinds, ", "))
					}
					continue
				}
				if _, err := path.Match(s, ""); err != nil {
					return r, p.errorf(item, fmt.Sprintf("%s[%d]", field, j), "invalid pattern %s: %v", excerpt.Quote(s), err)
				}
			}
			if key.Value == "kinds" {
				r.Kinds = list
			} else {
				r.Methods = list
			}
		default:
			return r, p.errorf(key, where, "unknown field %s", excerpt.Quote(key.Value))
		}
	}
	switch {
	case r.Capability == "":
		return r, p.errorf(n, where, "no capability: name the capability the rule gives")
	case len(r.Methods) == 0 && r.Regexp == nil:
		return r, p.errorf(n, where, "no methods or regexp: say which methods the rule matches")
	}
	return r, nil
}

func (p *configParser) strings(n *yaml.Node, where string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, where, "want a list of strings, got %s", kindName(n))
	}
	out := make([]string, 0, len(n.Content))
	for j, item := range n.Content {
		s, err := p.scalar(item, fmt.Sprintf("%s[%d]", where, j))
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// regexpError is err as regexp says it, with the part of the expression it
// quotes cut to an excerpt: that part can be the whole expression.
func regexpError(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return fmt.Sprintf("error parsing regexp: %s: `%s`", se.Code, excerpt.Plain(se.Expr))
	}
	return err.Error()
}
