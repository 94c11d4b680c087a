package lint

import (
	"fmt"
	"slices"
	"strings"
)

// Disable turns rules off. Each entry is a rule ID, which turns the rule
// off for every element; RULE=ELEMENT, which turns it off for one element;
// or RULE=PREFIX*, for every element whose name starts with PREFIX.
type Disable []string

// UnknownRuleError is the error of ParseDisable for an ID that is not in
// Rules.
type UnknownRuleError struct {
	ID string
}

func (e *UnknownRuleError) Error() string { return fmt.Sprintf("unknown rule %q", e.ID) }

// ParseDisable checks that every entry names a rule of Rules and returns
// them as a Disable. The error is an *UnknownRuleError.
func ParseDisable(entries []string) (Disable, error) {
	for _, d := range entries {
		id, _, _ := strings.Cut(d, "=")
		if !slices.ContainsFunc(Rules, func(r Rule) bool { return r.ID == id }) {
			return nil, &UnknownRuleError{ID: id}
		}
	}
	return Disable(entries), nil
}

// Covers reports whether d turns a finding off.
func (d Disable) Covers(f Finding) bool {
	for _, entry := range d {
		id, element, scoped := strings.Cut(entry, "=")
		if id != f.Rule {
			continue
		}
		if !scoped || element == f.Element {
			return true
		}
		if prefix, ok := strings.CutSuffix(element, "*"); ok && strings.HasPrefix(f.Element, prefix) {
			return true
		}
	}
	return false
}

// Apply returns the findings that d does not turn off, in their order; it
// is never nil, so that an empty result encodes as an empty list.
func (d Disable) Apply(findings []Finding) []Finding {
	out := []Finding{}
	for _, f := range findings {
		if !d.Covers(f) {
			out = append(out, f)
		}
	}
	return out
}
