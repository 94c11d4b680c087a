// Package lint suggests improvements to the services of registrations, each
// finding with a stable rule ID, the element it concerns and where that
// element is in its proto file, in the spirit of buf lint. Rules lists every
// rule and whether it is on by default; Check runs them all; a Config, read
// from a configuration file like buf.yaml's lint section, chooses the rules
// and the files they apply to; Disable turns rules off, for every element
// or for some.
//
// The rules on by default raise nothing that AIP, and Google's api-linter,
// would not: a rule that published AIP-following APIs break as a matter of
// course is off by default and can be asked for.
//
// A comment line "registration:lint:ignore RULE" among the leading
// comments of a service or method in the proto turns RULE off for that
// element (for a service, also for its methods), as buf:lint:ignore does
// for buf lint.
//
// Findings come in a deterministic order: per service in the order given,
// its methods in order (each method's findings in the order of Rules), then
// its resources; duplicate routes across every service come last.
package lint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/inference"
	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Rule describes one rule of Rules.
type Rule struct {
	ID          string
	Description string
	// Default is true for the rules that run when no configuration
	// chooses (the DEFAULT set).
	Default bool
}

// Rule IDs. They are stable: --disable values, configuration files, ignore
// comments and CI configurations name them.
const (
	MethodWithoutBinding       = "METHOD_WITHOUT_BINDING"
	ReadWithoutNoSideEffects   = "READ_METHOD_WITHOUT_NO_SIDE_EFFECTS"
	GetRequiredFieldUnbound    = "GET_REQUIRED_FIELD_UNBOUND"
	ResourceNamingInconsistent = "RESOURCE_NAMING_INCONSISTENT"
	DuplicateRoute             = "DUPLICATE_ROUTE"
)

// Rules lists every rule in the order findings are reported within an
// element.
//
// READ_METHOD_WITHOUT_NO_SIDE_EFFECTS is off by default: AIP does not ask
// for idempotency_level, googleapis sets it nowhere, and adding it to a
// published method is a change that compare (METHOD_IDEMPOTENCY_CHANGED)
// and buf breaking report.
var Rules = []Rule{
	{MethodWithoutBinding, "a method has no REST binding of its own: none at all, or only the inferred POST /package.Service/Method; bidirectional streaming methods are exempt, as AIP-127 says", true},
	{ReadWithoutNoSideEffects, "a reading method (get, list, batch_get, search, watch) is not marked idempotency_level = NO_SIDE_EFFECTS", false},
	{GetRequiredFieldUnbound, "a GET binding cannot carry a REQUIRED request field: it is neither in the path nor a query parameter (a map or a repeated message)", true},
	{ResourceNamingInconsistent, "the bindings of the methods on one resource, additional ones too, end in different collection IDs (/v1/shelves/*/books in one, /v1/shelves/*/book in another); other parents alone are allowed", true},
	{DuplicateRoute, "two bindings on one default_host match the same requests: the same HTTP method and path templates with a common match", true},
}

// rule returns the rule of an ID, or nil.
func rule(id string) *Rule {
	i := slices.IndexFunc(Rules, func(r Rule) bool { return r.ID == id })
	if i < 0 {
		return nil
	}
	return &Rules[i]
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
	// File is the proto file of the element, as the registration names it
	// (relative to the proto root); Line and Column are where the method
	// or service starts in it ("rpc", "service"), zero when the
	// registration was generated without source info. A duplicate route
	// is located at the method of the later route, a resource's naming at
	// its service.
	File   string `json:"file" yaml:"file"`
	Line   int    `json:"line,omitempty" yaml:"line,omitempty"`
	Column int    `json:"column,omitempty" yaml:"column,omitempty"`
	// Message is one sentence that says what is wrong and what to do.
	Message string `json:"message" yaml:"message"`
}

// Location is "file:line:col", "file" without a line, or "-" without a
// file.
func (f Finding) Location() string {
	switch {
	case f.File == "":
		return "-"
	case f.Line == 0:
		return f.File
	}
	return f.File + ":" + strconv.Itoa(f.Line) + ":" + strconv.Itoa(f.Column)
}

// Check runs every rule, on by default or not, over services, typically
// every service of a set of registration files, each once, and leaves out
// the findings that an ignore comment turns off. Duplicate routes are
// looked for across all of them: a per-file registration's own conflicts
// list covers its file only. Nil services, methods and bindings are
// skipped. A Config then chooses among the findings.
func Check(services []*registration.Service) []Finding {
	c := &checker{}
	for _, s := range services {
		if s == nil {
			continue
		}
		for _, m := range s.Methods {
			if m != nil {
				c.method(s, m)
			}
		}
		c.resourceNames(s)
	}
	for _, d := range duplicateRoutes(services) {
		host := ""
		if d.host != "" {
			host = " on " + d.host
		}
		c.add(d.service, d.method, DuplicateRoute, d.method.FullName+" "+d.verb+" "+d.second.Path,
			"method %s: route %s %s%s matches the same requests as %s %s of %s; make the templates distinct",
			d.method.FullName, d.verb, d.second.Path, host, d.verb, d.first.Path, d.first.RPC)
	}
	return c.findings
}

// checker collects findings.
type checker struct {
	findings []Finding
}

// add records a finding on method m of service s, or on s itself when m
// is nil, unless an ignore comment on either turns the rule off there.
func (c *checker) add(s *registration.Service, m *registration.Method, rule, element, format string, args ...any) {
	if ignored(s.Description, rule) || (m != nil && ignored(m.Description, rule)) {
		return
	}
	f := Finding{Rule: rule, Element: element, File: s.File, Line: s.Line, Column: s.Column, Message: fmt.Sprintf(format, args...)}
	if m != nil {
		f.Line, f.Column = m.Line, m.Column
	}
	c.findings = append(c.findings, f)
}

// IgnoreComment starts the comment line that turns a rule off for a
// service or method: "registration:lint:ignore RULE".
const IgnoreComment = "registration:lint:ignore"

// ignored reports whether a description (an element's leading comments,
// one space after "//" removed) has the line "registration:lint:ignore
// RULE" for rule, with nothing else on the line but spaces around.
func ignored(description, rule string) bool {
	for line := range strings.SplitSeq(description, "\n") {
		id, ok := strings.CutPrefix(strings.TrimSpace(line), IgnoreComment+" ")
		if ok && strings.TrimSpace(id) == rule {
			return true
		}
	}
	return false
}

// duplicate is a pair of conflicting routes, with the service and method
// of the later one, where the finding is located.
type duplicate struct {
	host, verb    string
	first, second registration.ConflictSide
	service       *registration.Service
	method        *registration.Method
}

// duplicateRoutes finds the conflicting bindings among services with the
// plugin's own detection (inference.Conflicts): the same default_host (two
// services on different hosts are different servers, and both without one
// are taken for the same), HTTP method and verb, templates with a common
// match, two different RPCs. A path that does not parse (the schema lets
// any "/..." through) takes no part.
func duplicateRoutes(services []*registration.Service) []duplicate {
	type owner struct {
		service *registration.Service
		method  *registration.Method
	}
	var routes []inference.Route
	var owners []owner // of each route
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
				owners = append(owners, owner{s, m})
			}
		}
	}
	var out []duplicate
	for _, c := range inference.Conflicts(routes) {
		model := c.Model(routes)
		o := owners[c.Second]
		out = append(out, duplicate{host: model.Host, verb: model.Method, first: model.First, second: model.Second, service: o.service, method: o.method})
	}
	return out
}

// readKinds are the method kinds that only read.
var readKinds = []string{registration.KindGet, registration.KindList, registration.KindBatchGet, registration.KindSearch, registration.KindWatch}

// method runs the rules on one method m of service s.
func (c *checker) method(s *registration.Service, m *registration.Method) {
	bindings := slices.DeleteFunc(slices.Clone(m.Bindings), func(b *registration.Binding) bool { return b == nil })
	declared := slices.ContainsFunc(bindings, func(b *registration.Binding) bool { return b.Source != registration.SourceInferred })
	switch {
	case m.Streaming == registration.StreamingBidi:
		// AIP-127: every method has an HTTP binding except bidirectional
		// streaming ones, which HTTP/1.1 cannot carry. Client and server
		// streaming methods do need one, as api-linter's
		// core::0127::http-annotation checks.
	case len(bindings) == 0:
		c.add(s, m, MethodWithoutBinding, m.FullName, "method %s has no REST binding: add a google.api.http option", m.FullName)
	case !declared:
		c.add(s, m, MethodWithoutBinding, m.FullName, "method %s is reached over REST only through the inferred %s %s: add a google.api.http option",
			m.FullName, bindings[0].Method, bindings[0].Path)
	}
	if slices.Contains(readKinds, m.Kind) && m.Idempotency != "no_side_effects" {
		c.add(s, m, ReadWithoutNoSideEffects, m.FullName, "method %s is a %s method: mark it option idempotency_level = NO_SIDE_EFFECTS", m.FullName, m.Kind)
	}
	for _, b := range bindings {
		if b.Method != "GET" || b.Custom {
			continue
		}
		for _, f := range m.RequiredFields {
			if !boundBy(f, b) {
				c.add(s, m, GetRequiredFieldUnbound, m.FullName+" "+b.Method+" "+b.Path,
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
// collection ID that names it, the last segment of its collections:
// /v1/{name=shelves/*/books/*} and /v1/{parent=shelves/*}/books both name
// the collection /v1/shelves/*/books, ID "books". Every declared binding
// counts, additional ones too. Collections that differ only in their
// parents (/v1/shelves/*/books and /v1/books) do not fire the rule: AIP-123
// lets a resource have several patterns, which the registration does not
// list, but asks that every pattern end in the same collection ID, the
// resource's plural; so the rule fires when the IDs differ
// (/v1/shelves/*/books and /v1/shelves/*/book).
func (c *checker) resourceNames(s *registration.Service) {
	type use struct {
		collection string
		methods    []string
	}
	var resources []string // in order of first use
	uses := make(map[string][]*use)
	for _, m := range s.Methods {
		if m == nil || m.Resource == nil {
			continue
		}
		t := m.Resource.Type
		for _, b := range m.Bindings {
			if b == nil || b.Source == registration.SourceInferred {
				continue
			}
			coll, ok := collection(m.Kind, b.Path)
			if !ok {
				continue
			}
			if _, seen := uses[t]; !seen {
				resources = append(resources, t)
			}
			i := slices.IndexFunc(uses[t], func(u *use) bool { return u.collection == coll })
			if i < 0 {
				uses[t] = append(uses[t], &use{collection: coll})
				i = len(uses[t]) - 1
			}
			if u := uses[t][i]; !slices.Contains(u.methods, m.Name) {
				u.methods = append(u.methods, m.Name)
			}
		}
	}
	for _, t := range resources {
		var ids []string
		for _, u := range uses[t] {
			if id := collectionID(u.collection); !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
		if len(ids) < 2 {
			continue
		}
		parts := make([]string, len(uses[t]))
		for i, u := range uses[t] {
			parts[i] = fmt.Sprintf("%s (%s)", u.collection, strings.Join(u.methods, ", "))
		}
		c.add(s, nil, ResourceNamingInconsistent, s.Name+" "+t,
			"service %s: methods on resource %s name its collection %s: %s; end every binding in one collection ID, the resource's plural",
			s.Name, t, quoteList(ids), strings.Join(parts, ", "))
	}
}

// collectionID is the last segment of a collection path.
func collectionID(collection string) string {
	return collection[strings.LastIndexByte(collection, '/')+1:]
}

// quoteList writes IDs as "a", "b" and "c".
func quoteList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = strconv.Quote(id)
	}
	if len(q) == 2 {
		return q[0] + " and " + q[1]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// collection returns the collection path that a binding's path template
// names: its segments with every variable expanded to its pattern
// ({name=shelves/*} to shelves/*, {id} to *) and no verb, less the last
// segment when a name variable ends it (get, update, delete and custom
// methods), whole for the methods on a collection (list, create and the
// batch methods) with a parent variable or none. A collection ends in a
// literal segment, its ID: a path that ends in its parent
// (/v1/{parent=projects/*}:search) names none. Other methods with a
// parent variable name none either: an import, search or custom method on
// a parent often acts on another collection below it than its resource's
// (/v1/{parent=workspaces/*}/mappingRules:import on a workspace). Nor does
// a path that does not parse.
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
		segs = segs[:len(segs)-1]
	case (parented || len(t.Variables) == 0) && slices.Contains(collectionKinds, kind):
	default:
		return "", false
	}
	if segs[len(segs)-1].Kind != pathtemplate.Literal {
		return "", false
	}
	return joinSegments(segs), true
}

// collectionKinds are the kinds of the methods on a collection, whose
// paths end in it (AIP-132, 133, 231 to 235).
var collectionKinds = []string{registration.KindList, registration.KindCreate,
	registration.KindBatchGet, registration.KindBatchCreate, registration.KindBatchUpdate, registration.KindBatchDelete}

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
