// Package compare lists the differences between two versions of a
// registration and classifies each one as breaking or not, with a stable rule
// ID in the spirit of buf breaking.
//
// A change is breaking when a client or an operator written against the old
// registration can fail against the new one: something it calls is gone, a
// message type or a streaming shape it relies on changed, a REST route it
// uses moved or reads its body differently, a capability it was promised was
// withdrawn. Everything else that differs is reported too, as non-breaking.
// Rules lists every rule with its classification.
//
// # Matching
//
// Services are matched by full name, methods by full name within their
// service, capabilities by name, dependencies by target service and kind,
// events by name. A service or method that is renamed is therefore removed
// and added.
//
// REST bindings are matched per method, in four passes over the bindings
// that the earlier passes left unmatched:
//
//  1. the same HTTP method and path template: the same binding;
//  2. the same path template with another HTTP method: BINDING_VERB_CHANGED;
//  3. the same HTTP method with another path, in binding order (the first
//     unmatched old GET pairs with the first unmatched new GET):
//     BINDING_PATH_CHANGED;
//  4. when exactly one old and one new binding remain, they are one binding
//     whose HTTP method and path both changed: both rules are reported.
//
// What remains is BINDING_REMOVED or BINDING_ADDED. So the single binding of
// a method whose path changes is BINDING_PATH_CHANGED, not a removal and an
// addition. The body and response body of matched bindings are compared;
// their query parameters are compared only when neither path nor body
// changed, because a new path or body moves fields in and out of the query
// and that change has been reported already.
//
// # Order
//
// Changes come in a deterministic order: services in the old registration's
// order, then added services in the new one's; within a service, the
// service's own changes, then its methods in old order (each method's
// changes, then its bindings'), then added methods, then capabilities,
// dependencies and events.
package compare

import (
	"fmt"
	"slices"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Change is one difference between two registrations.
type Change struct {
	// Rule is the stable rule ID, one of the IDs in Rules.
	Rule string `json:"rule" yaml:"rule"`
	// Breaking reports a change that can break clients or operators of the
	// old registration.
	Breaking bool `json:"breaking" yaml:"breaking"`
	// Element is the full name of what changed: a service, a method, or a
	// method and a binding ("library.v1.LibraryService.GetBook GET /v1/{name=shelves/*/books/*}").
	// Capability, dependency, event and health changes name their service.
	Element string `json:"element" yaml:"element"`
	// Message is one human sentence that says what changed.
	Message string `json:"message" yaml:"message"`
	// File, Line and Column locate the change in the proto files: the
	// element in the new registration, or for an element that is gone the
	// element of the new registration that held it (a removed method is
	// located at its service, as buf locates it), or the old element when
	// nothing holds it any more (a removed service). Line and Column are
	// zero when the registration has no source info.
	File   string `json:"file,omitempty" yaml:"file,omitempty"`
	Line   int    `json:"line,omitempty" yaml:"line,omitempty"`
	Column int    `json:"column,omitempty" yaml:"column,omitempty"`
}

// String returns the change as one line: "BREAKING RULE: message" or
// "RULE: message".
func (c Change) String() string {
	if c.Breaking {
		return "BREAKING " + c.Rule + ": " + c.Message
	}
	return c.Rule + ": " + c.Message
}

// Rule describes one rule of Rules.
type Rule struct {
	ID          string
	Breaking    bool
	Description string
}

// Rule IDs.
const (
	ServiceRemoved    = "SERVICE_REMOVED"
	ServiceAdded      = "SERVICE_ADDED"
	ServiceDeprecated = "SERVICE_DEPRECATED"
	// ServiceUndeprecated: the service's deprecated option was removed.
	ServiceUndeprecated  = "SERVICE_UNDEPRECATED"
	ServiceOwnerChanged  = "SERVICE_OWNER_CHANGED"
	HealthHTTPPathChange = "HEALTH_HTTP_PATH_CHANGED"

	MethodRemoved              = "METHOD_REMOVED"
	MethodAdded                = "METHOD_ADDED"
	MethodInputTypeChanged     = "METHOD_INPUT_TYPE_CHANGED"
	MethodOutputTypeChanged    = "METHOD_OUTPUT_TYPE_CHANGED"
	MethodStreamingChanged     = "METHOD_STREAMING_CHANGED"
	MethodIdempotencyChanged   = "METHOD_IDEMPOTENCY_CHANGED"
	MethodLongRunningChanged   = "METHOD_LONG_RUNNING_CHANGED"
	MethodRequiredFieldAdded   = "METHOD_REQUIRED_FIELD_ADDED"
	MethodRequiredFieldRemoved = "METHOD_REQUIRED_FIELD_REMOVED"
	MethodDeprecated           = "METHOD_DEPRECATED"
	MethodUndeprecated         = "METHOD_UNDEPRECATED"
	MethodKindChanged          = "METHOD_KIND_CHANGED"
	MethodResourceChanged      = "METHOD_RESOURCE_CHANGED"

	BindingRemoved             = "BINDING_REMOVED"
	BindingAdded               = "BINDING_ADDED"
	BindingVerbChanged         = "BINDING_VERB_CHANGED"
	BindingPathChanged         = "BINDING_PATH_CHANGED"
	BindingBodyChanged         = "BINDING_BODY_CHANGED"
	BindingResponseBodyChanged = "BINDING_RESPONSE_BODY_CHANGED"
	BindingQueryParamRemoved   = "BINDING_QUERY_PARAM_REMOVED"
	BindingQueryParamAdded     = "BINDING_QUERY_PARAM_ADDED"

	CapabilityRemoved = "CAPABILITY_REMOVED"
	CapabilityAdded   = "CAPABILITY_ADDED"
	DependencyAdded   = "DEPENDENCY_ADDED"
	DependencyRemoved = "DEPENDENCY_REMOVED"
	EventAdded        = "EVENT_ADDED"
	EventRemoved      = "EVENT_REMOVED"

	// The field-level rules of the REST contract take buf's names.
	FieldNoDelete        = "FIELD_NO_DELETE"
	FieldSameName        = "FIELD_SAME_NAME"
	FieldSameJSONName    = "FIELD_SAME_JSON_NAME"
	FieldSameType        = "FIELD_SAME_TYPE"
	FieldSameCardinality = "FIELD_SAME_CARDINALITY"
	FieldSameOneof       = "FIELD_SAME_ONEOF"
	EnumValueNoDelete    = "ENUM_VALUE_NO_DELETE"
	FieldAdded           = "FIELD_ADDED"
	EnumValueAdded       = "ENUM_VALUE_ADDED"
)

// Rules lists every rule, breaking rules first, in the order of the package
// documentation.
var Rules = []Rule{
	{ServiceRemoved, true, "a service is gone"},
	{MethodRemoved, true, "a method is gone"},
	{MethodInputTypeChanged, true, "a method's request message type changed"},
	{MethodOutputTypeChanged, true, "a method's response message type changed"},
	{MethodStreamingChanged, true, "a method's streaming shape (unary, client, server, bidi) changed"},
	{MethodIdempotencyChanged, true, "a method's idempotency_level changed: clients and proxies retry, cache or use GET on it"},
	{MethodLongRunningChanged, true, "a long-running method's operation response or metadata type changed, or the method stopped or started being long-running"},
	{MethodRequiredFieldAdded, true, "a request field became REQUIRED (google.api.field_behavior)"},
	{BindingRemoved, true, "a REST binding is gone"},
	{BindingVerbChanged, true, "a REST binding's HTTP method changed"},
	{BindingPathChanged, true, "a REST binding's path template changed"},
	{BindingBodyChanged, true, "a REST binding's request body field changed"},
	{BindingResponseBodyChanged, true, "a REST binding's response body field changed"},
	{BindingQueryParamRemoved, true, "a REST binding no longer accepts a query parameter"},
	{FieldNoDelete, true, "a field of a message that travels over a REST binding is gone (matched by number)"},
	{FieldSameName, true, "a field's proto name changed: JSON parsers accept it besides the JSON name"},
	{FieldSameJSONName, true, "a field's JSON name changed"},
	{FieldSameType, true, "a field's type changed: its scalar type, its message or enum, or a map's key type"},
	{FieldSameCardinality, true, "a field changed between singular, optional, repeated and map"},
	{FieldSameOneof, true, "a field moved into, out of or between oneofs"},
	{EnumValueNoDelete, true, "a value of an enum that a REST message uses is gone: JSON carries values by name"},
	{HealthHTTPPathChange, true, "a service's HTTP health path changed: probes configured for the old one fail"},

	{ServiceAdded, false, "a service was added"},
	{ServiceDeprecated, false, "a service was marked deprecated"},
	{ServiceUndeprecated, false, "a service is no longer marked deprecated"},
	{ServiceOwnerChanged, false, "a service's owner changed"},
	{MethodAdded, false, "a method was added"},
	{MethodRequiredFieldRemoved, false, "a request field is no longer REQUIRED"},
	{MethodDeprecated, false, "a method was marked deprecated"},
	{MethodUndeprecated, false, "a method is no longer marked deprecated"},
	{MethodKindChanged, false, "a method's inferred kind (get, list, custom, ...) changed"},
	{MethodResourceChanged, false, "the resource a method acts on changed"},
	{BindingAdded, false, "a REST binding was added"},
	{BindingQueryParamAdded, false, "a REST binding accepts a new query parameter"},
	{CapabilityRemoved, false, "a service no longer has a capability: capabilities are inferred from methods, so a change that breaks callers is reported by the rules of the methods behind it (a service that gains methods loses read_only and breaks nobody)"},
	{CapabilityAdded, false, "a service gained a capability"},
	{DependencyAdded, false, "a service depends on another service, by a kind of dependency it did not have"},
	{DependencyRemoved, false, "a service no longer depends on another service by that kind"},
	{EventAdded, false, "a service emits a new event"},
	{FieldAdded, false, "a message that travels over a REST binding has a new field"},
	{EnumValueAdded, false, "an enum that a REST message uses has a new value"},
	{EventRemoved, false, "a service no longer emits an event"},
}

var breaking = func() map[string]bool {
	m := make(map[string]bool, len(Rules))
	for _, r := range Rules {
		m[r.ID] = r.Breaking
	}
	return m
}()

// HasBreaking reports whether any of changes is breaking.
func HasBreaking(changes []Change) bool {
	return slices.ContainsFunc(changes, func(c Change) bool { return c.Breaking })
}

// Registrations returns every difference between old and new, in a
// deterministic order (see the package documentation). Either may be nil,
// which counts as a registration without services.
func Registrations(old, new *registration.Registration) []Change {
	d := &differ{}
	oldSvcs, newSvcs := services(old), services(new)
	newByName := make(map[string]*registration.Service, len(newSvcs))
	for _, s := range newSvcs {
		newByName[s.Name] = s
	}
	oldNames := make(map[string]bool, len(oldSvcs))
	for _, o := range oldSvcs {
		oldNames[o.Name] = true
		n, ok := newByName[o.Name]
		if !ok {
			d.at = serviceAt(o)
			d.add(ServiceRemoved, o.Name, "service %s removed", o.Name)
			continue
		}
		d.service(o, n)
	}
	for _, n := range newSvcs {
		if !oldNames[n.Name] {
			d.at = serviceAt(n)
			d.add(ServiceAdded, n.Name, "service %s added", n.Name)
		}
	}
	if old != nil && new != nil {
		d.at = location{}
		d.messages(old.Messages, new.Messages)
		d.enums(old.Enums, new.Enums)
	}
	return d.changes
}

// messages compares the messages both registrations describe, field by
// field matched by number, as buf matches them. A message that only one
// side describes is no change of its own: it came or went with a method,
// a binding or a field, which their rules report.
func (d *differ) messages(olds, news []*registration.Message) {
	oldByName := make(map[string]*registration.Message, len(olds))
	for _, m := range olds {
		if m != nil {
			oldByName[m.Name] = m
		}
	}
	for _, n := range news {
		if n == nil || oldByName[n.Name] == nil {
			continue
		}
		o := oldByName[n.Name]
		newByNumber := make(map[int]*registration.Field, len(n.Fields))
		for _, f := range n.Fields {
			if f != nil {
				newByNumber[f.Number] = f
			}
		}
		oldNumbers := make(map[int]bool, len(o.Fields))
		for _, of := range o.Fields {
			if of == nil {
				continue
			}
			oldNumbers[of.Number] = true
			element := n.Name + "." + of.Name
			nf := newByNumber[of.Number]
			if nf == nil {
				d.at = location{n.File, n.Line, n.Column}
				d.add(FieldNoDelete, element, "message %s: field %d %s removed", n.Name, of.Number, of.Name)
				continue
			}
			d.at = location{n.File, nf.Line, nf.Column}
			if d.at.line == 0 {
				d.at = location{n.File, n.Line, n.Column}
			}
			if of.Name != nf.Name {
				d.add(FieldSameName, element, "message %s: field %d renamed from %s to %s", n.Name, of.Number, of.Name, nf.Name)
			}
			if of.JSONName != nf.JSONName {
				d.add(FieldSameJSONName, element, "message %s: field %s: JSON name changed from %s to %s", n.Name, of.Name, of.JSONName, nf.JSONName)
			}
			if ot, nt := fieldType(of), fieldType(nf); ot != nt {
				d.add(FieldSameType, element, "message %s: field %s: type changed from %s to %s", n.Name, of.Name, ot, nt)
			}
			if of.Cardinality != nf.Cardinality {
				d.add(FieldSameCardinality, element, "message %s: field %s: cardinality changed from %s to %s", n.Name, of.Name, cardinality(of), cardinality(nf))
			}
			if of.Oneof != nf.Oneof {
				d.add(FieldSameOneof, element, "message %s: field %s: oneof changed from %s to %s", n.Name, of.Name, orNone(of.Oneof), orNone(nf.Oneof))
			}
		}
		for _, nf := range n.Fields {
			if nf != nil && !oldNumbers[nf.Number] {
				d.at = location{n.File, nf.Line, nf.Column}
				if d.at.line == 0 {
					d.at = location{n.File, n.Line, n.Column}
				}
				d.add(FieldAdded, n.Name+"."+nf.Name, "message %s: field %d %s added", n.Name, nf.Number, nf.Name)
			}
		}
	}
}

// enums compares the values of the enums both registrations describe, by
// name: JSON carries them by name.
func (d *differ) enums(olds, news []*registration.Enum) {
	oldByName := make(map[string]*registration.Enum, len(olds))
	for _, e := range olds {
		if e != nil {
			oldByName[e.Name] = e
		}
	}
	for _, n := range news {
		if n == nil || oldByName[n.Name] == nil {
			continue
		}
		o := oldByName[n.Name]
		d.at = location{n.File, n.Line, n.Column}
		for _, v := range o.Values {
			if !slices.Contains(n.Values, v) {
				d.add(EnumValueNoDelete, n.Name+"."+v, "enum %s: value %s removed", n.Name, v)
			}
		}
		for _, v := range n.Values {
			if !slices.Contains(o.Values, v) {
				d.add(EnumValueAdded, n.Name+"."+v, "enum %s: value %s added", n.Name, v)
			}
		}
	}
}

// fieldType is how a field's type is named in messages: "string",
// "message library.v1.Book", "map<string, int32>".
func fieldType(f *registration.Field) string {
	t := f.Type
	if f.TypeName != "" {
		t += " " + f.TypeName
	}
	if f.MapKey != "" {
		t = "map<" + f.MapKey + ", " + t + ">"
	}
	return t
}

func cardinality(f *registration.Field) string {
	if f.Cardinality == "" {
		return "singular"
	}
	return f.Cardinality
}

// services returns r's services, each name once: the first wins, as when
// per-file and aggregate registrations are read together.
func services(r *registration.Registration) []*registration.Service {
	if r == nil {
		return nil
	}
	seen := make(map[string]bool, len(r.Services))
	out := make([]*registration.Service, 0, len(r.Services))
	for _, s := range r.Services {
		if s != nil && !seen[s.Name] {
			seen[s.Name] = true
			out = append(out, s)
		}
	}
	return out
}

type differ struct {
	changes []Change
	at      location // where the changes being added are
}

// location is where an element starts in the proto files.
type location struct {
	file         string
	line, column int
}

func serviceAt(s *registration.Service) location { return location{s.File, s.Line, s.Column} }

// methodAt is where a method of s starts; where s starts when the
// registration does not say.
func methodAt(s *registration.Service, m *registration.Method) location {
	if m.Line == 0 {
		return serviceAt(s)
	}
	return location{s.File, m.Line, m.Column}
}

func (d *differ) add(rule, element, format string, args ...any) {
	d.changes = append(d.changes, Change{Rule: rule, Breaking: breaking[rule], Element: element, Message: fmt.Sprintf(format, args...),
		File: d.at.file, Line: d.at.line, Column: d.at.column})
}

func (d *differ) service(o, n *registration.Service) {
	name := o.Name
	d.at = serviceAt(n)
	switch {
	case !o.Deprecated && n.Deprecated:
		d.add(ServiceDeprecated, name, "service %s deprecated", name)
	case o.Deprecated && !n.Deprecated:
		d.add(ServiceUndeprecated, name, "service %s no longer deprecated", name)
	}
	if o.Owner != n.Owner {
		d.add(ServiceOwnerChanged, name, "service %s: owner changed from %s to %s", name, orNone(o.Owner), orNone(n.Owner))
	}
	if o.Health != nil && n.Health != nil && o.Health.HTTPPath != n.Health.HTTPPath {
		d.add(HealthHTTPPathChange, name, "service %s: HTTP health path changed from %s to %s", name, o.Health.HTTPPath, n.Health.HTTPPath)
	}

	newMethods := make(map[string]*registration.Method, len(n.Methods))
	for _, m := range n.Methods {
		if m != nil {
			newMethods[m.Name] = m
		}
	}
	oldMethods := make(map[string]bool, len(o.Methods))
	for _, om := range o.Methods {
		if om == nil {
			continue
		}
		oldMethods[om.Name] = true
		nm, ok := newMethods[om.Name]
		if !ok {
			d.at = serviceAt(n)
			d.add(MethodRemoved, methodName(name, om), "method %s removed", methodName(name, om))
			continue
		}
		d.at = methodAt(n, nm)
		d.method(methodName(name, om), om, nm)
	}
	for _, nm := range n.Methods {
		if nm != nil && !oldMethods[nm.Name] {
			d.at = methodAt(n, nm)
			d.add(MethodAdded, methodName(name, nm), "method %s added", methodName(name, nm))
		}
	}
	d.at = serviceAt(n)

	oldCaps, newCaps := capabilityNames(o.Capabilities), capabilityNames(n.Capabilities)
	for _, c := range oldCaps {
		if !slices.Contains(newCaps, c) {
			d.add(CapabilityRemoved, name, "service %s: capability %s removed", name, c)
		}
	}
	for _, c := range newCaps {
		if !slices.Contains(oldCaps, c) {
			d.add(CapabilityAdded, name, "service %s: capability %s added", name, c)
		}
	}

	oldDeps, newDeps := dependencyKeys(o.Dependencies), dependencyKeys(n.Dependencies)
	for _, k := range oldDeps {
		if !slices.Contains(newDeps, k) {
			d.add(DependencyRemoved, name, "service %s: %s dependency on %s removed", name, k.kind, k.service)
		}
	}
	for _, k := range newDeps {
		if !slices.Contains(oldDeps, k) {
			d.add(DependencyAdded, name, "service %s: %s dependency on %s added", name, k.kind, k.service)
		}
	}

	oldEvents, newEvents := eventNames(o.Events), eventNames(n.Events)
	for _, e := range oldEvents {
		if !slices.Contains(newEvents, e) {
			d.add(EventRemoved, name, "service %s: event %s removed", name, e)
		}
	}
	for _, e := range newEvents {
		if !slices.Contains(oldEvents, e) {
			d.add(EventAdded, name, "service %s: event %s added", name, e)
		}
	}
}

// methodName is the method's full name, built from the service when the
// registration leaves it out.
func methodName(service string, m *registration.Method) string {
	if m.FullName != "" {
		return m.FullName
	}
	return service + "." + m.Name
}

func (d *differ) method(name string, o, n *registration.Method) {
	if o.InputType != n.InputType {
		d.add(MethodInputTypeChanged, name, "method %s: request type changed from %s to %s", name, o.InputType, n.InputType)
	}
	if o.OutputType != n.OutputType {
		d.add(MethodOutputTypeChanged, name, "method %s: response type changed from %s to %s", name, o.OutputType, n.OutputType)
	}
	if o.Streaming != n.Streaming {
		d.add(MethodStreamingChanged, name, "method %s: streaming changed from %s to %s", name, o.Streaming, n.Streaming)
	}
	if o.Idempotency != n.Idempotency {
		d.add(MethodIdempotencyChanged, name, "method %s: idempotency changed from %s to %s", name, orNone(o.Idempotency), orNone(n.Idempotency))
	}
	if lr := longRunning(o.LongRunning); lr != longRunning(n.LongRunning) {
		d.add(MethodLongRunningChanged, name, "method %s: long-running result changed from %s to %s", name, lr, longRunning(n.LongRunning))
	}
	for _, f := range n.RequiredFields {
		if !slices.Contains(o.RequiredFields, f) {
			d.add(MethodRequiredFieldAdded, name, "method %s: request field %s became required", name, f)
		}
	}
	for _, f := range o.RequiredFields {
		if !slices.Contains(n.RequiredFields, f) {
			d.add(MethodRequiredFieldRemoved, name, "method %s: request field %s no longer required", name, f)
		}
	}
	switch {
	case !o.Deprecated && n.Deprecated:
		d.add(MethodDeprecated, name, "method %s deprecated", name)
	case o.Deprecated && !n.Deprecated:
		d.add(MethodUndeprecated, name, "method %s no longer deprecated", name)
	}
	if o.Kind != n.Kind {
		d.add(MethodKindChanged, name, "method %s: kind changed from %s to %s", name, orNone(o.Kind), orNone(n.Kind))
	}
	if or, nr := resourceType(o.Resource), resourceType(n.Resource); or != nr {
		d.add(MethodResourceChanged, name, "method %s: resource changed from %s to %s", name, orNone(or), orNone(nr))
	}
	d.bindings(name, o.Bindings, n.Bindings)
}

// bindings compares the bindings of one method, matched as the package
// documentation says.
func (d *differ) bindings(method string, olds, news []*registration.Binding) {
	olds, news = slices.DeleteFunc(slices.Clone(olds), isNil), slices.DeleteFunc(slices.Clone(news), isNil)
	match := make([]int, len(olds)) // index into news, or -1
	for i := range match {
		match[i] = -1
	}
	taken := make([]bool, len(news))
	pass := func(same func(o, n *registration.Binding) bool) {
		for i, o := range olds {
			if match[i] >= 0 {
				continue
			}
			for j, n := range news {
				if !taken[j] && same(o, n) {
					match[i], taken[j] = j, true
					break
				}
			}
		}
	}
	pass(func(o, n *registration.Binding) bool { return o.Method == n.Method && o.Path == n.Path })
	pass(func(o, n *registration.Binding) bool { return o.Path == n.Path })
	pass(func(o, n *registration.Binding) bool { return o.Method == n.Method })
	if lo, ln := unmatched(match), unmatchedNew(taken); len(lo) == 1 && len(ln) == 1 {
		match[lo[0]], taken[ln[0]] = ln[0], true
	}

	for i, o := range olds {
		element := method + " " + route(o)
		if match[i] < 0 {
			d.add(BindingRemoved, element, "method %s: binding %s removed", method, route(o))
			continue
		}
		n := news[match[i]]
		if o.Method != n.Method {
			d.add(BindingVerbChanged, element, "method %s: binding %s: HTTP method changed to %s", method, route(o), n.Method)
		}
		if o.Path != n.Path {
			d.add(BindingPathChanged, element, "method %s: binding %s: path changed to %s", method, route(o), n.Path)
		}
		if o.Body != n.Body {
			d.add(BindingBodyChanged, element, "method %s: binding %s: body changed from %s to %s", method, route(o), bodyName(o.Body), bodyName(n.Body))
		}
		if o.ResponseBody != n.ResponseBody {
			d.add(BindingResponseBodyChanged, element, "method %s: binding %s: response body changed from %s to %s", method, route(o), bodyName(o.ResponseBody), bodyName(n.ResponseBody))
		}
		if o.Path == n.Path && o.Body == n.Body {
			for _, q := range o.QueryParams {
				if !slices.Contains(n.QueryParams, q) {
					d.add(BindingQueryParamRemoved, element, "method %s: binding %s: query parameter %s removed", method, route(o), q)
				}
			}
			for _, q := range n.QueryParams {
				if !slices.Contains(o.QueryParams, q) {
					d.add(BindingQueryParamAdded, element, "method %s: binding %s: query parameter %s added", method, route(o), q)
				}
			}
		}
	}
	for j, n := range news {
		if !taken[j] {
			d.add(BindingAdded, method+" "+route(n), "method %s: binding %s added", method, route(n))
		}
	}
}

func isNil(b *registration.Binding) bool { return b == nil }

func unmatched(match []int) []int {
	var out []int
	for i, j := range match {
		if j < 0 {
			out = append(out, i)
		}
	}
	return out
}

func unmatchedNew(taken []bool) []int {
	var out []int
	for j, t := range taken {
		if !t {
			out = append(out, j)
		}
	}
	return out
}

// route is how a binding is named: "GET /v1/{name=shelves/*}".
func route(b *registration.Binding) string { return b.Method + " " + b.Path }

func bodyName(body string) string {
	if body == "" {
		return "(none)"
	}
	return fmt.Sprintf("%q", body)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func longRunning(lr *registration.LongRunning) string {
	if lr == nil {
		return "(not long-running)"
	}
	if lr.MetadataType == "" {
		return lr.ResponseType
	}
	return lr.ResponseType + " (metadata " + lr.MetadataType + ")"
}

func resourceType(r *registration.Resource) string {
	if r == nil {
		return ""
	}
	return r.Type
}

func capabilityNames(caps []*registration.Capability) []string {
	out := make([]string, 0, len(caps))
	for _, c := range caps {
		if c != nil && !slices.Contains(out, c.Name) {
			out = append(out, c.Name)
		}
	}
	return out
}

type dependencyKey struct{ service, kind string }

func dependencyKeys(deps []*registration.Dependency) []dependencyKey {
	out := make([]dependencyKey, 0, len(deps))
	for _, d := range deps {
		if d == nil {
			continue
		}
		if k := (dependencyKey{d.Service, d.Kind}); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

func eventNames(events []*registration.Event) []string {
	out := make([]string, 0, len(events))
	for _, e := range events {
		if e != nil && !slices.Contains(out, e.Name) {
			out = append(out, e.Name)
		}
	}
	return out
}

// Summary returns a one-line count of changes: "3 changes, 1 breaking".
func Summary(changes []Change) string {
	n := 0
	for _, c := range changes {
		if c.Breaking {
			n++
		}
	}
	noun := "changes"
	if len(changes) == 1 {
		noun = "change"
	}
	return fmt.Sprintf("%d %s, %d breaking", len(changes), noun, n)
}
