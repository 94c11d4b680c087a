package plugin

import (
	"fmt"
	"path"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/internal/yamlnode"
)

// conflictAllow is the allowlist of the conflicts_allow parameter: pairs of
// methods whose routes may conflict.
type conflictAllow struct {
	entries []*allowEntry
}

// allowEntry is one pair of the allowlist, with where it was written and
// whether a conflict matched it.
type allowEntry struct {
	first, second string // full method names, or globs over them
	index         int    // its place in the allow list
	pos           pos    // file:line:column of the pair
	used          bool
}

// parseConflictAllow reads a conflicts allowlist:
//
//	# Routes of these method pairs may conflict; order within a pair does not matter.
//	allow:
//	  - [library.v1.LibraryService.GetBook, library.v1.LibraryService.GetShelfBook]
//	  - [a.v1.S.*, b.v1.T.Get]     # globs as path.Match reads them, on full method names
//
// Every error names the file, line and column.
func parseConflictAllow(name string, data []byte) (*conflictAllow, error) {
	root, err := yamlnode.DecodeOne(name, data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, fmt.Errorf("%s: empty allowlist: want an allow list of method pairs", name)
	}
	p := &configParser{file: name}
	if root.Kind != yaml.MappingNode {
		return nil, p.errorf(root, "", "want a mapping with an allow list, got %s", kindName(root))
	}
	a := &conflictAllow{}
	seen := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		if key.Value != "allow" {
			return nil, p.errorf(key, "", "unknown field %s", excerpt.Quote(key.Value))
		}
		seen = true
		if val.Kind != yaml.SequenceNode {
			return nil, p.errorf(val, "allow", "want a list of method pairs, got %s", kindName(val))
		}
		for j, item := range val.Content {
			e, err := p.allowEntry(item, j)
			if err != nil {
				return nil, err
			}
			a.entries = append(a.entries, e)
		}
	}
	if !seen {
		return nil, p.errorf(root, "", "no allow list: want allow: [[METHOD, METHOD], ...]")
	}
	return a, nil
}

func (p *configParser) allowEntry(n *yaml.Node, index int) (*allowEntry, error) {
	where := fmt.Sprintf("allow[%d]", index)
	if n.Kind != yaml.SequenceNode {
		return nil, p.errorf(n, where, "want a pair of method names such as [pkg.Service.Get, pkg.Service.List], got %s", kindName(n))
	}
	if len(n.Content) != 2 {
		return nil, p.errorf(n, where, "want a pair of method names, got a list of %d", len(n.Content))
	}
	var pair [2]string
	for k, item := range n.Content {
		field := fmt.Sprintf("%s[%d]", where, k)
		s, err := p.scalar(item, field)
		if err != nil {
			return nil, err
		}
		switch {
		case s == "":
			return nil, p.errorf(item, field, "empty method name")
		case strings.Contains(s, "/"):
			// A gRPC path such as /pkg.Service/Method would never match.
			return nil, p.errorf(item, field, "%s: want a full method name such as pkg.Service.Method, or a glob over them", excerpt.Quote(s))
		}
		if _, err := path.Match(s, ""); err != nil {
			return nil, p.errorf(item, field, "invalid pattern %s: %v", excerpt.Quote(s), err)
		}
		pair[k] = s
	}
	return &allowEntry{first: pair[0], second: pair[1], index: index, pos: p.pos(n)}, nil
}

// allows reports whether the routes of the methods first and second, full
// names, may conflict: whether a pair of the list matches them in either
// order. Every pair that matches counts as used. A nil list allows nothing.
func (a *conflictAllow) allows(first, second string) bool {
	if a == nil {
		return false
	}
	allowed := false
	for _, e := range a.entries {
		if e.matches(first, second) || e.matches(second, first) {
			e.used = true
			allowed = true
		}
	}
	return allowed
}

func (e *allowEntry) matches(first, second string) bool {
	// The patterns were checked when the list was read, so Match cannot
	// fail here.
	ok1, _ := path.Match(e.first, first)
	ok2, _ := path.Match(e.second, second)
	return ok1 && ok2
}

// unused describes, in list order, the pairs that matched no conflict so
// far: "FILE:L:C: allow[i]: [A, B] matches no conflicting routes".
func (a *conflictAllow) unused() []string {
	if a == nil {
		return nil
	}
	var out []string
	for _, e := range a.entries {
		if !e.used {
			out = append(out, fmt.Sprintf("%s: warning: allow[%d]: [%s, %s] matches no conflicting routes", e.pos, e.index, excerpt.Plain(e.first), excerpt.Plain(e.second)))
		}
	}
	return out
}
