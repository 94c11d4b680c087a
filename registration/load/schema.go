package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// schemas are the registration.v2 schema and its service definition,
// compiled once. They are compiled here rather than used through
// schema.Validate, which takes bytes, because the document is already
// parsed.
type schemas struct {
	root *jsonschema.Schema
	// items are the definitions of the elements of the document's long
	// lists, by list, validated one element at a time in parallel.
	items map[string]*jsonschema.Schema
}

// parallelLists are the lists whose elements are validated in parallel,
// and the schema definition of their elements: the lists that grow with
// the API (a registration of googleapis has 1,052 services, 20,007
// messages and 4,088 enums).
var parallelLists = [...]struct{ list, def string }{
	{"services", "service"},
	{"messages", "message"},
	{"enums", "enum"},
}

var compiled = sync.OnceValues(func() (*schemas, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schema.JSON))
	if err != nil {
		return nil, err
	}
	const url = "https://github.com/ovasabi/protoc-gen-registration/registration/schema.json"
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(compilePattern)
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	s := schemas{items: make(map[string]*jsonschema.Schema)}
	if s.root, err = c.Compile(url); err != nil {
		return nil, err
	}
	for _, l := range parallelLists {
		if s.items[l.list], err = c.Compile(url + "#/$defs/" + l.def); err != nil {
			return nil, err
		}
	}
	return &s, nil
})

// parallelSize is the document size from which services are validated in
// parallel (a variable for the tests).
var parallelSize = 1 << 16

// schemaProblems validates the document against the schema and returns
// every violation, in document order. A large document's long lists
// (services, messages, enums) are validated in parallel, element by
// element against the schema's definition of an element, and the rest of
// the document with those lists left empty: validation is most of the
// time Check takes on a large registration.
func (d *document) schemaProblems() []problem {
	s, err := compiled()
	if err != nil {
		return []problem{{msg: fmt.Sprintf("compiling the registration schema: %v", err)}}
	}
	root, _ := d.value.(map[string]any)
	if len(d.data) < parallelSize || root == nil {
		return d.problemsOf(s.root.Validate(d.value), nil)
	}
	// One job per element of every long list, in document order.
	type job struct {
		list  string
		index int
		value any
	}
	var jobs []job
	rest := maps.Clone(root)
	for _, l := range parallelLists {
		items, ok := root[l.list].([]any)
		if !ok {
			continue // absent, or not a list: the root schema says so
		}
		rest[l.list] = []any{}
		for i, v := range items {
			jobs = append(jobs, job{l.list, i, v})
		}
	}
	out := d.problemsOf(s.root.Validate(rest), nil)
	found := make([][]problem, len(jobs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(jobs); i = int(next.Add(1) - 1) {
				j := jobs[i]
				found[i] = d.problemsOf(s.items[j.list].Validate(j.value), []string{j.list, strconv.Itoa(j.index)})
			}
		})
	}
	wg.Wait()
	for _, f := range found {
		out = append(out, f...)
	}
	return out
}

// problemsOf turns what the validator returns for the value at prefix
// into problems: one per leaf of its tree of causes, one per unknown
// field, one per anyOf.
func (d *document) problemsOf(err error, prefix []string) []problem {
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []problem{{path: prefix, msg: err.Error()}}
	}
	at := func(e *jsonschema.ValidationError) []string {
		return append(slices.Clip(prefix), e.InstanceLocation...)
	}
	var out []problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		switch k := e.ErrorKind.(type) {
		case *kind.AdditionalProperties:
			for _, name := range k.Properties {
				out = append(out, problem{path: append(at(e), name), key: true, msg: "unknown field " + excerpt.Quote(name)})
			}
			return
		case *kind.AnyOf, *kind.OneOf:
			// The alternatives' own messages, as one: "value must be "*" or
			// a field path (...); got ...".
			var wants []string
			for _, c := range e.Causes {
				for _, leaf := range leaves(c) {
					wants = append(wants, d.want(leaf))
				}
			}
			out = append(out, problem{path: at(e), msg: "value must be " + strings.Join(wants, " or ") + "; got " + d.got(at(e))})
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, problem{path: at(e), msg: d.message(e, at(e))})
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// leaves returns the errors without causes under e.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// message says what is wrong with a value, in words rather than in
// schema keywords: "value must be one of "unary", ...; got "sideways"".
func (d *document) message(e *jsonschema.ValidationError, path []string) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		if len(k.Missing) == 1 {
			return "missing field " + excerpt.Quote(k.Missing[0])
		}
		return "missing fields " + quoteAll(k.Missing)
	case *kind.DependentRequired:
		return fmt.Sprintf("missing field %s, which %s needs", quoteAll(k.Missing), excerpt.Quote(k.Prop))
	case *kind.MinLength:
		if k.Want == 1 {
			return "value must not be empty"
		}
	}
	if want := d.want(e); want != "" {
		return "value must be " + want + "; got " + d.got(path)
	}
	if out := e.BasicOutput(); out.Error != nil {
		return out.Error.String()
	}
	return "invalid value"
}

// patterns describes the values the schema's patterns stand for, by the
// schema location of the pattern.
var patterns = []struct{ suffix, want string }{
	{"/$defs/fullName", "a full name: dot-separated identifiers such as library.v1.Book"},
	{"/$defs/identifier", "an identifier: letters, digits and _, not starting with a digit"},
	{"/$defs/fieldPath", "a field path: dot-separated identifiers such as book.name"},
	{"/$defs/protoPath", "the relative path of a .proto file"},
	{"/properties/version", "a version such as v1 or v1beta2"},
	{"/properties/rule", "a rule ID in capitals, such as HTTP_DEEP_WILDCARD_NOT_LAST"},
	{"/properties/path", "a path that starts with /"},
	{"/properties/http_path", "a path that starts with /"},
}

// want describes what a value must be, for the errors that have a single
// expected value, type or form; "" for the others.
func (d *document) want(e *jsonschema.ValidationError) string {
	switch k := e.ErrorKind.(type) {
	case *kind.Type:
		wants := make([]string, len(k.Want))
		for i, w := range k.Want {
			wants[i] = article(w)
		}
		return strings.Join(wants, " or ")
	case *kind.Enum:
		if len(k.Want) == 1 {
			return display(k.Want[0])
		}
		wants := make([]string, len(k.Want))
		for i, w := range k.Want {
			wants[i] = display(w)
		}
		return "one of " + strings.Join(wants, ", ")
	case *kind.Const:
		return display(k.Want)
	case *kind.Pattern:
		for _, p := range patterns {
			if strings.HasSuffix(e.SchemaURL, p.suffix) {
				return p.want
			}
		}
		return "a string that matches " + excerpt.Quote(k.Want)
	case *kind.MinLength:
		return fmt.Sprintf("at least %d characters long", k.Want)
	case *kind.Minimum:
		return "at least " + k.Want.RatString()
	}
	return ""
}

// got describes the value at path: itself when it is a scalar, its type
// otherwise.
func (d *document) got(path []string) string {
	v := d.value
	for _, tok := range path {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return "nothing"
			}
			v = x[i]
		default:
			return "nothing"
		}
	}
	return display(v)
}

// display writes a value as a message shows it: scalars as in JSON, long
// strings cut, objects and arrays by their type.
func display(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return excerpt.Quote(x)
	case json.Number:
		return excerpt.Plain(x.String())
	case bool:
		return strconv.FormatBool(x)
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprint(v)
}

// article names a JSON type with its article: "an object", "a string".
func article(t string) string {
	switch t {
	case "null":
		return "null"
	case "object", "array", "integer":
		return "an " + t
	}
	return "a " + t
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = excerpt.Quote(n)
	}
	return strings.Join(q, ", ")
}
