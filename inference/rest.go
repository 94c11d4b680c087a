package inference

import (
	"fmt"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// HTTPRule is a google.api.HttpRule that applies to a method, with where it
// came from: registration.SourceAnnotation for the method's google.api.http
// option, registration.SourceConfig for a rule of a YAML service config.
type HTTPRule struct {
	Rule   *annotations.HttpRule
	Source string
}

// Route is a binding with its parsed path template and the method it
// reaches, the unit of conflict detection. Method is the descriptor when the
// route comes from protos; routes rebuilt from registration files have only
// MethodName.
type Route struct {
	Binding    *registration.Binding
	Template   *pathtemplate.Template
	Method     protoreflect.MethodDescriptor
	MethodName string
	// Host is the google.api.default_host of the method's service, "" when
	// it has none: bindings on different hosts never meet.
	Host string
	// Rule is the index, in the rules given to Bindings, of the rule the
	// route comes from; -1 for the inferred binding.
	Rule int
}

// RPC returns the full name of the method the route reaches.
func (r Route) RPC() string {
	if r.Method != nil {
		return string(r.Method.FullName())
	}
	return r.MethodName
}

// BindingError is a problem with one HTTP rule of a method. Rule is the index
// of the rule in the slice given to Bindings, so that the caller can say
// where that rule was written.
type BindingError struct {
	Method protoreflect.MethodDescriptor
	Rule   int
	Msg    string
}

func (e *BindingError) Error() string {
	return fmt.Sprintf("method %s: %s", e.Method.FullName(), e.Msg)
}

// Bindings returns the REST routes of method m: one per rule and per
// additional binding, in order. A method without rules gets the inferred
// binding "POST /package.Service/Method" with body "*" when fallback is set,
// and no binding otherwise.
func Bindings(m protoreflect.MethodDescriptor, rules []HTTPRule, fallback bool) ([]Route, error) {
	if len(rules) == 0 {
		if !fallback {
			return nil, nil
		}
		path := "/" + string(m.Parent().FullName()) + "/" + string(m.Name())
		t, err := pathtemplate.Parse(path)
		if err != nil {
			// Full names are made of identifiers and dots, which are valid
			// literal characters, so this cannot fail on a linked descriptor.
			return nil, &BindingError{Method: m, Rule: -1, Msg: "inferred binding: " + err.Error()}
		}
		b := &registration.Binding{Method: "POST", Path: path, Body: "*", Source: registration.SourceInferred}
		return []Route{{Binding: b, Template: t, Method: m, Rule: -1}}, nil
	}
	var routes []Route
	for i, r := range rules {
		rs, err := rule(m, r.Rule, r.Source, "")
		if err != nil {
			return nil, &BindingError{Method: m, Rule: i, Msg: err.Error()}
		}
		rs[0].Rule = i
		routes = append(routes, rs...)
		for j, add := range r.Rule.GetAdditionalBindings() {
			where := fmt.Sprintf("additional_bindings[%d]: ", j)
			if len(add.GetAdditionalBindings()) > 0 {
				return nil, &BindingError{Method: m, Rule: i, Msg: where + "additional_bindings may not be nested"}
			}
			rs, err := rule(m, add, r.Source, where)
			if err != nil {
				return nil, &BindingError{Method: m, Rule: i, Msg: err.Error()}
			}
			rs[0].Rule = i
			routes = append(routes, rs...)
		}
	}
	return routes, nil
}

// rule turns one HttpRule, without its additional bindings, into a route.
// where prefixes every error message.
func rule(m protoreflect.MethodDescriptor, r *annotations.HttpRule, source, where string) ([]Route, error) {
	verb, path, custom := pattern(r)
	if path == "" && verb == "" && !custom {
		return nil, fmt.Errorf("%sno HTTP method: set one of get, put, post, delete, patch or custom", where)
	}
	if custom {
		where += "custom"
		if verb == "" {
			return nil, fmt.Errorf("%s: custom pattern has no kind", where)
		}
	} else {
		where += strings.ToLower(verb)
	}
	t, err := pathtemplate.Parse(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", where, err)
	}
	in, out := m.Input(), m.Output()
	b := &registration.Binding{
		Method:       verb,
		Custom:       custom,
		Path:         path,
		Body:         r.GetBody(),
		ResponseBody: r.GetResponseBody(),
		Source:       source,
	}
	bound := make([]string, 0, len(t.Variables))
	for _, v := range t.Variables {
		field := v.FieldPathString()
		if err := checkPathField(in, v.FieldPath); err != nil {
			return nil, fmt.Errorf("%s %s: path variable %s: %v", where, excerpt.Quote(path), excerpt.Quote(field), err)
		}
		b.PathParams = append(b.PathParams, &registration.PathParam{Field: field, Pattern: v.Pattern})
		bound = append(bound, field)
	}
	switch body := r.GetBody(); {
	case body == "":
	case verb == "GET" && !custom:
		return nil, fmt.Errorf("%s %s: a GET binding may not have a body (body: %s)", where, excerpt.Quote(path), excerpt.Quote(body))
	case body == "*":
	default:
		if err := checkTopLevelField(in, body, true); err != nil {
			return nil, fmt.Errorf("%s %s: body %s: %v", where, excerpt.Quote(path), excerpt.Quote(body), err)
		}
		bound = append(bound, body)
	}
	if rb := r.GetResponseBody(); rb != "" {
		if err := checkTopLevelField(out, rb, false); err != nil {
			return nil, fmt.Errorf("%s %s: response_body %s: %v", where, excerpt.Quote(path), excerpt.Quote(rb), err)
		}
	}
	if b.Body != "*" {
		b.QueryParams = queryParams(in, bound)
	}
	return []Route{{Binding: b, Template: t, Method: m}}, nil
}

// pattern returns the HTTP method and path template of a rule, and whether
// it is a custom pattern.
func pattern(r *annotations.HttpRule) (verb, path string, custom bool) {
	switch p := r.GetPattern().(type) {
	case *annotations.HttpRule_Get:
		return "GET", p.Get, false
	case *annotations.HttpRule_Put:
		return "PUT", p.Put, false
	case *annotations.HttpRule_Post:
		return "POST", p.Post, false
	case *annotations.HttpRule_Delete:
		return "DELETE", p.Delete, false
	case *annotations.HttpRule_Patch:
		return "PATCH", p.Patch, false
	case *annotations.HttpRule_Custom:
		return p.Custom.GetKind(), p.Custom.GetPath(), true
	}
	return "", "", false
}

// checkPathField checks that a path variable's field path names a
// non-repeated, non-map field that holds a single value, going through
// singular message fields.
func checkPathField(md protoreflect.MessageDescriptor, path []string) error {
	for i, name := range path {
		f := md.Fields().ByName(protoreflect.Name(name))
		if f == nil {
			return fmt.Errorf("no field %s in message %s", excerpt.Quote(name), md.FullName())
		}
		switch {
		case f.IsMap():
			return fmt.Errorf("field %s is a map", f.FullName())
		case f.IsList():
			return fmt.Errorf("field %s is repeated", f.FullName())
		}
		last := i == len(path)-1
		isMsg := f.Message() != nil
		switch {
		case !last && !isMsg:
			return fmt.Errorf("field %s is not a message, so it has no field %q", f.FullName(), path[i+1])
		case last && isMsg && !pathScalarMessages[f.Message().FullName()]:
			return fmt.Errorf("field %s is a message (%s); a path variable must name a scalar field", f.FullName(), f.Message().FullName())
		}
		if isMsg {
			md = f.Message()
		}
	}
	return nil
}

// pathScalarMessages are the well-known types that have a single-string
// form, which gateways accept in a path variable.
var pathScalarMessages = map[protoreflect.FullName]bool{
	"google.protobuf.Timestamp":   true,
	"google.protobuf.Duration":    true,
	"google.protobuf.FieldMask":   true,
	"google.protobuf.DoubleValue": true,
	"google.protobuf.FloatValue":  true,
	"google.protobuf.Int64Value":  true,
	"google.protobuf.UInt64Value": true,
	"google.protobuf.Int32Value":  true,
	"google.protobuf.UInt32Value": true,
	"google.protobuf.BoolValue":   true,
	"google.protobuf.StringValue": true,
	"google.protobuf.BytesValue":  true,
}

// checkTopLevelField checks that name is a field of md, as body and
// response_body must be. A request body field may not be repeated or a map.
func checkTopLevelField(md protoreflect.MessageDescriptor, name string, singular bool) error {
	if strings.Contains(name, ".") {
		return fmt.Errorf("must name a top-level field of %s", md.FullName())
	}
	f := md.Fields().ByName(protoreflect.Name(name))
	if f == nil {
		return fmt.Errorf("no field %s in message %s", excerpt.Quote(name), md.FullName())
	}
	switch {
	case singular && f.IsMap():
		return fmt.Errorf("field %s is a map", f.FullName())
	case singular && f.IsList():
		return fmt.Errorf("field %s is repeated", f.FullName())
	}
	return nil
}
