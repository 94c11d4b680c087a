package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/inference"
	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// lintRule is one check of the lint command.
type lintRule struct {
	ID          string
	Description string
}

// Lint rule IDs. They are stable: --disable and CI configurations name them.
const (
	lintMethodWithoutBinding     = "METHOD_WITHOUT_BINDING"
	lintReadWithoutNoSideEffects = "READ_METHOD_WITHOUT_NO_SIDE_EFFECTS"
	lintGetRequiredFieldUnbound  = "GET_REQUIRED_FIELD_UNBOUND"
	lintResourceNaming           = "RESOURCE_NAMING_INCONSISTENT"
	lintDuplicateRoute           = "DUPLICATE_ROUTE"
)

// lintRules lists every rule in the order findings are reported within an
// element.
var lintRules = []lintRule{
	{lintMethodWithoutBinding, "a method has no REST binding of its own: none at all, or only the inferred POST /package.Service/Method"},
	{lintReadWithoutNoSideEffects, "a reading method (get, list, batch_get, search, watch) is not marked idempotency_level = NO_SIDE_EFFECTS"},
	{lintGetRequiredFieldUnbound, "a GET binding cannot carry a REQUIRED request field: it is neither in the path nor a query parameter (a map or a repeated message)"},
	{lintResourceNaming, "the methods on one resource name it with different collection paths (/v1/shelves/*/books in one, /v1/books in another)"},
	{lintDuplicateRoute, "two bindings match the same requests: the same HTTP method and path templates with a common match"},
}

// finding is one suggestion of the lint command.
type finding struct {
	Rule string `json:"rule" yaml:"rule"`
	// Element is the full name of what the finding is about: a method, a
	// method and a binding, or a service and a resource type.
	Element string `json:"element" yaml:"element"`
	Message string `json:"message" yaml:"message"`
}

const lintDescription = `Suggest improvements to the services of registration files, each with a rule
ID and the element it concerns (see --list-rules). --disable RULE turns a
rule off; --disable RULE=ELEMENT only for one element, or for every element
that starts with a prefix when ELEMENT ends in "*". Exits 2 when a suggestion
remains.`

func lint(args []string, stdout, stderr io.Writer) int {
	const name = "lint"
	fs, formatFlag := commandFlags(name, stderr)
	var disable listFlag
	fs.Var(&disable, "disable", "turn off a rule (RULE), or a rule for one element (RULE=ELEMENT, ELEMENT may end in *); repeatable or comma-separated")
	listRules := fs.Bool("list-rules", false, "print every rule ID and what it checks, and exit")
	fs.Usage = usageFunc(fs, "lint [--format table|json|yaml] [--disable RULE[=ELEMENT]] FILE...", lintDescription)
	if done, status := parseFlags(fs, args); done {
		return status
	}
	format, err := outputFormat(*formatFlag, stdout)
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if *listRules {
		rows := make([]ruleRow, len(lintRules))
		for i, r := range lintRules {
			rows[i] = ruleRow{Rule: r.ID, Description: r.Description}
		}
		err := writeOutput(stdout, format, rows, func(w io.Writer) error {
			tw := newTable(w)
			fmt.Fprintln(tw, "RULE\tCHECKS")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%s\n", r.Rule, r.Description)
			}
			return tw.Flush()
		})
		if err != nil {
			return failf(stderr, name, "%v", err)
		}
		return 0
	}
	for _, d := range disable {
		id, _, _ := strings.Cut(d, "=")
		if !slices.ContainsFunc(lintRules, func(r lintRule) bool { return r.ID == id }) {
			return failf(stderr, name, "flag --disable: unknown rule %q (see --list-rules)", id)
		}
	}
	l, status := readFiles(name, fs.Args(), stderr)
	if l == nil {
		return status
	}
	findings := slices.DeleteFunc(lintFindings(l), func(f finding) bool { return disabled(disable, f) })
	if findings == nil {
		findings = []finding{}
	}
	err = writeOutput(stdout, format, findings, func(w io.Writer) error {
		tw := newTable(w)
		if len(findings) > 0 {
			fmt.Fprintln(tw, "RULE\tELEMENT\tSUGGESTION")
		}
		for _, f := range findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", f.Rule, f.Element, f.Message)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintln(w, plural(len(findings), "suggestion"))
		return err
	})
	if err != nil {
		return failf(stderr, name, "%v", err)
	}
	if len(findings) > 0 {
		return 2
	}
	return 0
}

// disabled reports whether a --disable value turns a finding off.
func disabled(disable []string, f finding) bool {
	for _, d := range disable {
		id, element, scoped := strings.Cut(d, "=")
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

// lintFindings runs every rule: per service, its methods in order, then
// its resources; route conflicts last.
func lintFindings(l *loaded) []finding {
	var out []finding
	add := func(rule, element, format string, args ...any) {
		out = append(out, finding{Rule: rule, Element: element, Message: fmt.Sprintf(format, args...)})
	}
	for _, s := range l.services {
		for _, m := range s.Methods {
			lintMethod(m, add)
		}
		lintResourceNames(s, add)
	}
	for _, c := range duplicateRoutes(l.services) {
		add(lintDuplicateRoute, c.Second.RPC+" "+c.Method+" "+c.Second.Path,
			"method %s: route %s %s matches the same requests as %s %s of %s; make the templates distinct",
			c.Second.RPC, c.Method, c.Second.Path, c.Method, c.First.Path, c.First.RPC)
	}
	return out
}

// duplicateRoutes finds the conflicting bindings among every service read,
// with the plugin's own detection: the same host, HTTP method and verb,
// templates with a common match, two different RPCs. The registrations'
// own conflicts lists are not enough: a per-file registration lists the
// conflicts within its file only. A path that does not parse (the schema
// lets any "/..." through) takes no part.
func duplicateRoutes(services []*registration.Service) []*registration.Conflict {
	var routes []inference.Route
	for _, s := range services {
		for _, m := range s.Methods {
			for _, b := range m.Bindings {
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

func lintMethod(m *registration.Method, add func(rule, element, format string, args ...any)) {
	declared := slices.ContainsFunc(m.Bindings, func(b *registration.Binding) bool { return b.Source != registration.SourceInferred })
	switch {
	case len(m.Bindings) == 0:
		add(lintMethodWithoutBinding, m.FullName, "method %s has no REST binding: add a google.api.http option", m.FullName)
	case !declared:
		add(lintMethodWithoutBinding, m.FullName, "method %s is reached over REST only through the inferred %s %s: add a google.api.http option",
			m.FullName, m.Bindings[0].Method, m.Bindings[0].Path)
	}
	if slices.Contains(readKinds, m.Kind) && m.Idempotency != "no_side_effects" {
		add(lintReadWithoutNoSideEffects, m.FullName, "method %s is a %s method: mark it option idempotency_level = NO_SIDE_EFFECTS", m.FullName, m.Kind)
	}
	for _, b := range m.Bindings {
		if b.Method != "GET" || b.Custom {
			continue
		}
		for _, f := range m.RequiredFields {
			if !boundBy(f, b) {
				add(lintGetRequiredFieldUnbound, m.FullName+" "+b.Method+" "+b.Path,
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
		if covers(p.Field) {
			return true
		}
	}
	return slices.ContainsFunc(b.QueryParams, covers)
}

// lintResourceNames checks that the methods on one resource agree on the
// collection that holds it: /v1/{name=shelves/*/books/*} and
// /v1/{parent=shelves/*}/books both name the collection /v1/shelves/*/books.
func lintResourceNames(s *registration.Service, add func(rule, element, format string, args ...any)) {
	type use struct {
		collection string
		methods    []string
	}
	var resources []string // in order of first use
	uses := make(map[string][]*use)
	for _, m := range s.Methods {
		if m.Resource == nil || len(m.Bindings) == 0 || m.Bindings[0].Source == registration.SourceInferred {
			continue
		}
		c, ok := collection(m.Kind, m.Bindings[0])
		if !ok {
			continue
		}
		t := m.Resource.Type
		if _, seen := uses[t]; !seen {
			resources = append(resources, t)
		}
		i := slices.IndexFunc(uses[t], func(u *use) bool { return u.collection == c })
		if i < 0 {
			uses[t] = append(uses[t], &use{collection: c})
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
		add(lintResourceNaming, s.Name+" "+t, "service %s: methods on resource %s name its collection differently: %s; use one resource name pattern",
			s.Name, t, strings.Join(parts, ", "))
	}
}

// collection returns the collection path a binding names: its path with
// every variable replaced by its pattern and no verb suffix, less the last
// segment when a name variable ends it (get, update, delete and custom
// methods), as is when a parent variable or no variable is in it (list and
// create).
func collection(kind string, b *registration.Binding) (string, bool) {
	named, parented := false, false
	for _, p := range b.PathParams {
		switch {
		case p.Field == "name" || strings.HasSuffix(p.Field, ".name"):
			named = true
		case p.Field == "parent" || strings.HasSuffix(p.Field, ".parent"):
			parented = true
		}
	}
	path := expandTemplate(b.Path)
	switch {
	case named:
		i := strings.LastIndexByte(path, '/')
		if i <= 0 || path[i+1:] != "*" {
			return "", false
		}
		return path[:i], true
	case parented:
		return path, true
	case len(b.PathParams) == 0 && slices.Contains([]string{registration.KindList, registration.KindCreate}, kind):
		return path, true
	}
	return "", false
}

// expandTemplate replaces each variable of a path template by what it
// matches ({name=shelves/*} by shelves/*, {id} by *) and drops a verb suffix.
func expandTemplate(path string) string {
	var sb strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		if c != '{' {
			if c == ':' && !strings.ContainsAny(path[i:], "/}") {
				break // the verb suffix
			}
			sb.WriteByte(c)
			continue
		}
		end := strings.IndexByte(path[i:], '}')
		if end < 0 {
			sb.WriteString(path[i:])
			break
		}
		variable := path[i+1 : i+end]
		if _, pattern, ok := strings.Cut(variable, "="); ok {
			sb.WriteString(pattern)
		} else {
			sb.WriteString("*")
		}
		i += end
	}
	return sb.String()
}
