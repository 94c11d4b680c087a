package templates

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/compiler/protogen"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
)

// qualify spells identifiers as a file of another package would.
func qualify(id protogen.GoIdent) string {
	return string(id.GoImportPath[strings.LastIndex(string(id.GoImportPath), "/")+1:]) + "." + id.GoName
}

// full returns a service in which every field of every type is set, with
// strings that need escaping.
func full() *registration.Service {
	return &registration.Service{
		Name: "a.v1.S", Package: "a.v1", Version: "v1", File: "a/v1/a.proto", Owner: "team-a", Tags: []string{"x", "y"},
		Description: "line one\n  \"quoted\" \\ <tag> & \u2028 \x01 é\ttab `back`",
		Deprecated:  true,
		Methods: []*registration.Method{{
			Name: "M", FullName: "a.v1.S.M", InputType: "a.v1.Req", OutputType: "a.v1.Res",
			Streaming: registration.StreamingBidi, Kind: registration.KindUpdate, Description: "d", Deprecated: true,
			Resource:    &registration.Resource{Type: "a.example.com/Thing", Source: registration.SourceAnnotation, Evidence: "thing.name"},
			Idempotency: "idempotent", ReadOnly: true,
			LongRunning:    &registration.LongRunning{ResponseType: "a.v1.Res", MetadataType: "a.v1.Meta"},
			RequiredFields: []string{"thing", "thing.name"},
			Bindings: []*registration.Binding{{
				Method: "PURGE", Custom: true, Path: "/v1/{name=a/*}:x", Body: "*", ResponseBody: "r",
				PathParams:  []*registration.PathParam{{Field: "name", Pattern: "a/*"}},
				QueryParams: []string{"q", "p.s"},
				Source:      registration.SourceConfig,
			}},
		}, {Name: "Empty", Bindings: []*registration.Binding{}}},
		Capabilities: []*registration.Capability{{Name: "crud", Source: registration.SourceRule, Methods: []string{"M"}}},
		Dependencies: []*registration.Dependency{{Service: "b.v1.T", Kind: registration.DependencySchema, External: true, Evidence: []string{"a.v1.Req.t"}}},
		Events:       []*registration.Event{{Name: "a.v1.Thing.updated", Method: "a.v1.S.M", Source: registration.SourceInferred}},
		Health:       &registration.Health{GRPCService: "a.v1.S", HTTPPath: "/healthz", Source: registration.SourceInferred},
		MessageTypes: []string{"a.v1.Req", "a.v1.Res", "a.v1.Meta", "a.v1.Thing", "b.v1.T", "google.protobuf.Empty", "google.protobuf.Timestamp"},
	}
}

// TestLiteralRoundTrip parses what Literal writes and evaluates it back
// into a value, in every layout, and compares it with the original: the
// printer is exact for every field of the model, nil and empty slices
// included.
func TestLiteralRoundTrip(t *testing.T) {
	values := []any{
		full(),
		&registration.Service{Name: "a.v1.Bare", Methods: []*registration.Method{}},
		&registration.Registration{Format: registration.Format, Files: []string{"a.proto"}, Services: []*registration.Service{full()},
			Conflicts: []*registration.Conflict{{Method: "GET", First: registration.ConflictSide{RPC: "a.v1.S.M", Path: "/a"}, Second: registration.ConflictSide{RPC: "a.v1.S.N", Path: "/*"}}}},
		&kitchen{
			I: -3, U: 7, F: 1.5, B: true, Arr: [2]string{"a", ""}, Nested: [][]int{{1, 2}, nil, {}},
			Map: map[string]*registration.Health{"z": {GRPCService: "z"}, "a": nil}, IntMap: map[int]bool{3: true, -1: false},
			Named: "x", Inline: registration.PathParam{Field: "f"},
		},
	}
	for _, v := range values {
		for _, oneLine := range []int{0, 1, 2, 100} {
			lit, err := Literal(v, qualify, LiteralOptions{OneLine: oneLine})
			if err != nil {
				t.Fatalf("%T, OneLine %d: %v", v, oneLine, err)
			}
			expr, err := parser.ParseExpr(lit)
			if err != nil {
				t.Fatalf("%T, OneLine %d: the literal does not parse: %v\n%s", v, oneLine, err, lit)
			}
			got := reflect.New(reflect.TypeOf(v)).Elem()
			if err := eval(expr, got); err != nil {
				t.Fatalf("%T, OneLine %d: %v\n%s", v, oneLine, err, lit)
			}
			if diff := cmp.Diff(v, got.Interface()); diff != "" {
				t.Errorf("%T, OneLine %d: round trip differs (-want +got):\n%s\n%s", v, oneLine, diff, lit)
			}
			if oneLine == 0 && strings.Contains(lit, "\n") {
				t.Errorf("%T: OneLine 0 wrote more than one line:\n%s", v, lit)
			}
		}
	}
}

// kitchen has the kinds the model does not use yet.
type kitchen struct {
	I      int
	U      uint8
	F      float64
	B      bool
	Arr    [2]string
	Nested [][]int
	Map    map[string]*registration.Health
	IntMap map[int]bool
	Named  codec.Encoding
	Inline registration.PathParam
	Zero   string
}

// TestLiteralLayout checks where the lines break and Fields.
func TestLiteralLayout(t *testing.T) {
	svc := &registration.Service{
		Name:         "a.v1.S",
		Methods:      []*registration.Method{{Name: "M", Bindings: []*registration.Binding{{Method: "GET", Path: "/a"}}}},
		Health:       &registration.Health{GRPCService: "a.v1.S"},
		Tags:         []string{"short"},
		MessageTypes: []string{"a.very.long.package.v1.FirstMessage", "a.very.long.package.v1.SecondMessage", "a.very.long.package.v1.Third"},
	}
	tests := []struct {
		opts LiteralOptions
		want string
	}{
		{LiteralOptions{}, `&registration.Service{Name: "a.v1.S", Tags: []string{"short"}, Methods: []*registration.Method{{Name: "M", Bindings: []*registration.Binding{{Method: "GET", Path: "/a"}}}}, Health: &registration.Health{GRPCService: "a.v1.S"}, MessageTypes: []string{"a.very.long.package.v1.FirstMessage", "a.very.long.package.v1.SecondMessage", "a.very.long.package.v1.Third"}}`},
		{LiteralOptions{OneLine: 2, Fields: map[string]string{"Methods": "m", "Name": "ignored below the outer struct"}}, "&registration.Service{\n" +
			"Name: \"a.v1.S\",\n" +
			"Tags: []string{\"short\"},\n" +
			"Methods: m,\n" +
			"Health: &registration.Health{\nGRPCService: \"a.v1.S\",\n},\n" +
			"MessageTypes: []string{\n\"a.very.long.package.v1.FirstMessage\",\n\"a.very.long.package.v1.SecondMessage\",\n\"a.very.long.package.v1.Third\",\n},\n" +
			"}"},
	}
	for _, tt := range tests {
		got, err := Literal(svc, qualify, tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		if tt.opts.Fields != nil {
			tt.want = strings.Replace(tt.want, `Name: "a.v1.S",`, `Name: ignored below the outer struct,`, 1)
		}
		if got != tt.want {
			t.Errorf("OneLine %d:\n got: %s\nwant: %s", tt.opts.OneLine, got, tt.want)
		}
	}
}

func TestLiteralErrors(t *testing.T) {
	type unexported struct {
		Name string
		n    int
	}
	type withPointer struct{ P *string }
	type withFunc struct{ F func() }
	type withMap struct{ M map[float64]int }
	s := "x"
	tests := []struct {
		v    any
		want string
	}{
		{&unexported{n: 1}, "Go literal of value: unexported field unexported.n"},
		{[]withPointer{{}, {P: &s}}, "Go literal of [1].P: pointer to string: only pointers to structs have a literal"},
		{&withFunc{F: func() {}}, "Go literal of F: func() values are not supported"},
		{withMap{M: map[float64]int{1: 1}}, "Go literal of M: maps keyed by float64 are not supported"},
		{&registration.Service{Methods: []*registration.Method{nil, {Bindings: []*registration.Binding{nil}}}}, ""},
		{[]float64{math.NaN()}, "Go literal of [0]: non-finite float NaN"},
	}
	for _, tt := range tests {
		_, err := Literal(tt.v, qualify, LiteralOptions{})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%T: error %q, want %q", tt.v, got, tt.want)
		}
	}
}

// eval sets dst from a composite literal expression as Literal writes them.
func eval(e ast.Expr, dst reflect.Value) error {
	switch e := e.(type) {
	case *ast.Ident:
		switch e.Name {
		case "nil":
			dst.SetZero()
		case "true", "false":
			dst.SetBool(e.Name == "true")
		default:
			return fmt.Errorf("unexpected identifier %s", e.Name)
		}
		return nil
	case *ast.BasicLit:
		switch e.Kind {
		case token.STRING:
			s, err := strconv.Unquote(e.Value)
			dst.SetString(s)
			return err
		case token.INT:
			if dst.CanUint() {
				u, err := strconv.ParseUint(e.Value, 10, 64)
				dst.SetUint(u)
				return err
			}
			i, err := strconv.ParseInt(e.Value, 10, 64)
			dst.SetInt(i)
			return err
		case token.FLOAT:
			f, err := strconv.ParseFloat(e.Value, 64)
			dst.SetFloat(f)
			return err
		}
	case *ast.UnaryExpr:
		if e.Op == token.SUB {
			if lit, ok := e.X.(*ast.BasicLit); ok {
				return eval(&ast.BasicLit{Kind: lit.Kind, Value: "-" + lit.Value}, dst)
			}
		}
		if e.Op == token.AND && dst.Kind() == reflect.Pointer {
			p := reflect.New(dst.Type().Elem())
			dst.Set(p)
			return eval(e.X, p.Elem())
		}
	case *ast.CompositeLit:
		if dst.Kind() == reflect.Pointer { // an element with its &T elided
			p := reflect.New(dst.Type().Elem())
			dst.Set(p)
			dst = p.Elem()
		}
		switch dst.Kind() {
		case reflect.Struct:
			for _, elt := range e.Elts {
				kv := elt.(*ast.KeyValueExpr)
				if err := eval(kv.Value, dst.FieldByName(kv.Key.(*ast.Ident).Name)); err != nil {
					return err
				}
			}
			return nil
		case reflect.Slice:
			dst.Set(reflect.MakeSlice(dst.Type(), len(e.Elts), len(e.Elts)))
			fallthrough
		case reflect.Array:
			for i, elt := range e.Elts {
				if err := eval(elt, dst.Index(i)); err != nil {
					return err
				}
			}
			return nil
		case reflect.Map:
			dst.Set(reflect.MakeMap(dst.Type()))
			for _, elt := range e.Elts {
				kv := elt.(*ast.KeyValueExpr)
				k, v := reflect.New(dst.Type().Key()).Elem(), reflect.New(dst.Type().Elem()).Elem()
				if err := eval(kv.Key, k); err != nil {
					return err
				}
				if err := eval(kv.Value, v); err != nil {
					return err
				}
				dst.SetMapIndex(k, v)
			}
			return nil
		}
	}
	return fmt.Errorf("cannot evaluate %T into %v", e, dst.Type())
}
