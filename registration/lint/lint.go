// Package lint suggests improvements to the services of registrations, each
// finding with a stable rule ID and the element it concerns, in the spirit
// of buf lint. Rules lists every rule; Check runs them all; Disable turns
// rules off, for every element or for some.
//
// Findings come in a deterministic order: per service in the order given,
// its methods in order (each method's findings in the order of Rules), then
// its resources; duplicate routes across every service come last.
package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/inference"
	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Rule describes one rule of Rules.
type Rule struct {
	ID          string
	Description string
}

// Rule IDs. They are stable: --disable values and CI configurations name
// them.
const (
	MethodWithoutBinding       = "METHOD_WITHOUT_BINDING"
	ReadWithoutNoSideEffects   = "READ_METHOD_WITHOUT_NO_SIDE_EFFECTS"
	GetRequiredFieldUnbound    = "GET_REQUIRED_FIELD_UNBOUND"
	ResourceNamingInconsistent = "RESOURCE_NAMING_INCONSISTENT"
	DuplicateRoute             = "DUPLICATE_ROUTE"
)

// Rules lists every rule in the order findings are reported within an
// element.
var Rules = []Rule{
	{MethodWithoutBinding, "a method has no REST binding of its own: none at all, or only the inferred POST /package.Service/Method"},
	{ReadWithoutNoSideEffects, "a reading method (get, list, batch_get, search, watch) is not marked idempotency_level = NO_SIDE_EFFECTS"},
	{GetRequiredFieldUnbound, "a GET binding cannot carry a REQUIRED request field: it is neither in the path nor a query parameter (a map or a repeated message)"},
	{ResourceNamingInconsistent, "the methods on one resource name it with different collection paths (/v1/shelves/*/books in one, /v1/books in another)"},
	{DuplicateRoute, "two bindings match the same requests: the same HTTP method and path templates with a common match"},
}

// Finding is one suggestion.
type Finding struct {
	// Rule is the rule's ID, one of the IDs in Rules.
	Rule string `json:"rule" yaml:"rule"`
	// Element is the full name of what the finding is about: a method
	// ("library.v1.LibraryService.GetBook"), a method and a binding
	// ("library.v1.LibraryService.GetBook GET /v1/{name=shelves/*/books/*}"),
	// or a service and a resource type.
	Element string `json:"element" yaml:"element"`
	// Message is one sentence that says what is wrong and what to do.
	Message string `json:"message" yaml:"message"`
}

// Check runs every rule over services, typically every service of a set of
// registration files, each once. Duplicate routes are looked for across
// all of them: a per-file registration's own conflicts list covers its
// file only. Nil services, methods and bindings are skipped.
func Check(services []*registration.Service) []Finding {
	c := &checker{}
	for _, s := range services {
		if s == nil {
			continue
		}
		for _, m := range s.Methods {
			if m != nil {
				c.method(m)
			}
		}
		c.resourceNames(s)
	}
	for _, d := range duplicateRoutes(services) {
		c.add(DuplicateRoute, d.Second.RPC+" "+d.Method+" "+d.Second.Path,
			"method %s: route %s %s matches the same requests as %s %s of %s; make the templates distinct",
			d.Second.RPC, d.Method, d.Second.Path, d.Method, d.First.Path, d.First.RPC)
	}
	return c.findings
}

// checker collects findings.
type checker struct {
	findings []Finding
}

func (c *checker) add(rule, element, format string, args ...any) {
	c.findings = append(c.findings, Finding{Rule: rule, Element: element, Message: fmt.Sprintf(format, args...)})
}

// duplicateRoutes finds the conflicting bindings among services with the
// plugin's own detection (inference.Conflicts): the same host, HTTP method
// and verb, templates with a common match, two different RPCs. A path that
// does not parse (the schema lets any "/..." through) takes no part.
func duplicateRoutes(services []*registration.Service) []*registration.Conflict {
	var routes []inference.Route
	for _, s := range services {
		if s == nil {
			continue
		}
		for _, m := range s.Methods {
			if m == nil {
				continue
			}
			for _, b := range m.Bindings {
				if b == nil {
					continue
				}
				t, err := pathtemplate.Parse(b.Path)
				if err != nil {
					continue
				}
				routes = append(routes, inference.Route{Binding: b, Template: t, MethodName: m.FullName, Host: s.DefaultHost})
			}
		}
	}
	var out []*registration.Conflict
	for _, c := range inference.Conflicts(routes) {
		out = append(out, c.Model(routes))
	}
	return out
}

// readKinds are the method kinds that only read.
var readKinds = []string{registration.KindGet, registration.KindList, registration.KindBatchGet, registration.KindSearch, registration.KindWatch}

func (c *checker) method(m *registration.Method) {
	bindings := slices.DeleteFunc(slices.Clone(m.Bindings), func(b *registration.Binding) bool { return b == nil })
	declared := slices.ContainsFunc(bindings, func(b *registration.Binding) bool { return b.Source != registration.SourceInferred })
	switch {
	case len(bindings) == 0:
		c.add(MethodWithoutBinding, m.FullName, "method %s has no REST binding: add a google.api.http option", m.FullName)
	case !declared:
		c.add(MethodWithoutBinding, m.FullName, "method %s is reached over REST only through the inferred %s %s: add a google.api.http option",
			m.FullName, bindings[0].Method, bindings[0].Path)
	}
	if slices.Contains(readKinds, m.Kind) && m.Idempotency != "no_side_effects" {
		c.add(ReadWithoutNoSideEffects, m.FullName, "method %s is a %s method: mark it option idempotency_level = NO_SIDE_EFFECTS", m.FullName, m.Kind)
	}
	for _, b := range bindings {
		if b.Method != "GET" || b.Custom {
			continue
		}
		for _, f := range m.RequiredFields {
			if !boundBy(f, b) {
				c.add(GetRequiredFieldUnbound, m.FullName+" "+b.Method+" "+b.Path,
					"method %s: binding %s %s cannot carry the required field %s: bind it in the path or make it a scalar field", m.FullName, b.Method, b.Path, f)
			}
		}
	}
}

// boundBy reports whether a binding carries a field: the path or a query
// parameter binds it, a field it is inside of, or a field inside it.
func boundBy(field string, b *registration.Binding) bool {
	covers := func(bound string) bool {
		return bound == field || strings.HasPrefix(field, bound+".") || strings.HasPrefix(bound, field+".")
	}
	if b.Body == "*" || (b.Body != "" && covers(b.Body)) {
		return true
	}
	for _, p := range b.PathParams {
		if p != nil && covers(p.Field) {
			return true
		}
	}
	return slices.ContainsFunc(b.QueryParams, covers)
}

// resourceNames checks that the methods on one resource agree on the
// collection that holds it: /v1/{name=shelves/*/books/*} and
// /v1/{parent=shelves/*}/books both name the collection /v1/shelves/*/books.
func (c *checker) resourceNames(s *registration.Service) {
	type use struct {
		collection string
		methods    []string
	}
	var resources []string // in order of first use
	uses := make(map[string][]*use)
	for _, m := range s.Methods {
		if m == nil || m.Resource == nil || len(m.Bindings) == 0 || m.Bindings[0] == nil || m.Bindings[0].Source == registration.SourceInferred {
			continue
		}
		coll, ok := collection(m.Kind, m.Bindings[0].Path)
		if !ok {
			continue
		}
		t := m.Resource.Type
		if _, seen := uses[t]; !seen {
			resources = append(resources, t)
		}
		i := slices.IndexFunc(uses[t], func(u *use) bool { return u.collection == coll })
		if i < 0 {
			uses[t] = append(uses[t], &use{collection: coll})
			i = len(uses[t]) - 1
		}
		uses[t][i].methods = append(uses[t][i].methods, m.Name)
	}
	for _, t := range resources {
		if len(uses[t]) < 2 {
			continue
		}
		parts := make([]string, len(uses[t]))
		for i, u := range uses[t] {
			parts[i] = fmt.Sprintf("%s (%s)", u.collection, strings.Join(u.methods, ", "))
		}
		c.add(ResourceNamingInconsistent, s.Name+" "+t, "service %s: methods on resource %s name its collection differently: %s; use one resource name pattern",
			s.Name, t, strings.Join(parts, ", "))
	}
}

// collection returns the collection path that a binding's path template
// names: its segments with every variable expanded to its pattern
// ({name=shelves/*} to shelves/*, {id} to *) and no verb, less the last
// segment when a name variable ends it (get, update, delete and custom
// methods), whole when a parent variable or, for list and create, no
// variable is in it. A path that does not parse names none.
func collection(kind, path string) (string, bool) {
	t, err := pathtemplate.Parse(path)
	if err != nil {
		return "", false
	}
	named, parented := false, false
	for _, v := range t.Variables {
		switch last := v.FieldPath[len(v.FieldPath)-1]; last {
		case "name":
			named = true
		case "parent":
			parented = true
		}
	}
	segs := t.Segments
	switch {
	case named:
		if len(segs) < 2 || segs[len(segs)-1].Kind != pathtemplate.Wildcard {
			return "", false
		}
		return joinSegments(segs[:len(segs)-1]), true
	case parented:
		return joinSegments(segs), true
	case len(t.Variables) == 0 && slices.Contains([]string{registration.KindList, registration.KindCreate}, kind):
		return joinSegments(segs), true
	}
	return "", false
}

// joinSegments writes segments as a path: "/v1/shelves/*/books".
func joinSegments(segs []pathtemplate.Segment) string {
	var sb strings.Builder
	for _, s := range segs {
		sb.WriteByte('/')
		switch s.Kind {
		case pathtemplate.Wildcard:
			sb.WriteString("*")
		case pathtemplate.DeepWildcard:
			sb.WriteString("**")
		default:
			sb.WriteString(s.Value)
		}
	}
	return sb.String()
}
