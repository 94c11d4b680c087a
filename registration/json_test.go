package registration

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// referenceJSON is what encoding/json writes for r with the settings that
// AppendJSON reproduces.
func referenceJSON(t testing.TB, r *Registration) string {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// full returns a registration in which every field of every type is set.
func full() *Registration {
	return &Registration{
		Format: Format,
		Files:  []string{"a/v1/a.proto", "b.proto"},
		Services: []*Service{{
			Name: "a.v1.S", Package: "a.v1", Version: "v1", File: "a/v1/a.proto", Line: 7, Column: 1, Owner: "team-a", Tags: []string{"x", "y"},
			DefaultHost: "a.example.com", OAuthScopes: []string{"https://www.example.com/auth/a"},
			Description: "line one\n  \"quoted\" \\ <tag> & \u2028 \x01 \xff é\ttab",
			Deprecated:  true,
			Methods: []*Method{{
				Name: "M", FullName: "a.v1.S.M", Line: 9, Column: 3, InputType: "a.v1.Req", OutputType: "a.v1.Res",
				Streaming: StreamingBidi, Kind: KindUpdate, Description: "d", Deprecated: true,
				Resource:    &Resource{Type: "a.example.com/Thing", Source: SourceAnnotation, Evidence: "thing.name"},
				Idempotency: "idempotent", ReadOnly: true,
				LongRunning:    &LongRunning{ResponseType: "a.v1.Res", MetadataType: "a.v1.Meta"},
				RequiredFields: []string{"thing", "thing.name"},
				Bindings: []*Binding{{
					Method: "PURGE", Custom: true, Path: "/v1/{name=a/*}:x", Body: "*", ResponseBody: "r",
					PathParams:  []*PathParam{{Field: "name", Pattern: "a/*"}},
					QueryParams: []string{"q", "p.s"},
					Source:      SourceConfig,
				}},
			}},
			Capabilities: []*Capability{{Name: "crud", Source: SourceRule, Methods: []string{"M"}}},
			Dependencies: []*Dependency{{Service: "b.v1.T", Kind: DependencyResource, External: true, ResourceType: "b.example.com/T",
				Resolution: ResolutionSameAPI, AcrossFiles: true, Candidates: []string{"b.v1.T", "b.v2.T"}, Evidence: []string{"a.v1.Req.t"}}},
			Events:       []*Event{{Name: "a.v1.Thing.updated", Method: "a.v1.S.M", Source: SourceInferred}},
			Health:       &Health{GRPCService: "a.v1.S", HTTPPath: "/healthz", Source: SourceInferred},
			MessageTypes: []string{"a.v1.Req", "a.v1.Res"},
		}},
		Diagnostics: []*Diagnostic{{Rule: "HTTP_DEEP_WILDCARD_NOT_LAST", File: "a/v1/a.proto", Line: 12, Column: 5, Element: "a.v1.S.M", Message: "m"}},
		Messages: []*Message{{Name: "a.v1.Req", File: "a/v1/a.proto", Line: 20, Column: 1, Fields: []*Field{
			{Name: "labels", Number: 2, JSONName: "labels", Type: "enum", TypeName: "a.v1.Color", MapKey: "string", Cardinality: CardinalityMap, Required: true, OutputOnly: true, Oneof: "which", Line: 21, Column: 3},
			{Name: "thing", Number: 1, JSONName: "thing", Type: "message", TypeName: "a.v1.Thing", MapKey: "int64", Cardinality: CardinalityOptional, Required: true, OutputOnly: true, Oneof: "which", Line: 22, Column: 3},
		}}},
		Enums:     []*Enum{{Name: "a.v1.Color", File: "a/v1/a.proto", Line: 30, Column: 1, Values: []string{"COLOR_UNSPECIFIED", "RED"}}},
		Conflicts: []*Conflict{{Host: "a.example.com", Method: "GET", First: ConflictSide{RPC: "a.v1.S.M", Path: "/a"}, Second: ConflictSide{RPC: "a.v1.S.N", Path: "/*"}}},
	}
}

// TestFullIsFull makes sure full() keeps up with the model: a field added to
// a type and left zero there would not be compared by the tests below.
func TestFullIsFull(t *testing.T) {
	var check func(v reflect.Value, path string)
	check = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if v.IsNil() {
				t.Errorf("%s is nil in full()", path)
				return
			}
			check(v.Elem(), path)
		case reflect.Slice:
			if v.Len() == 0 {
				t.Errorf("%s is empty in full()", path)
			}
			for i := range v.Len() {
				check(v.Index(i), path+"[]")
			}
		case reflect.Struct:
			for i := range v.NumField() {
				check(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		default:
			if v.IsZero() {
				t.Errorf("%s is zero in full()", path)
			}
		}
	}
	check(reflect.ValueOf(full()), "Registration")
}

func TestJSONMatchesEncodingJSON(t *testing.T) {
	tests := map[string]*Registration{
		"full":  full(),
		"empty": {Format: Format},
		"empty lists": {Format: Format, Files: []string{}, Services: []*Service{{Name: "s", Methods: []*Method{}}},
			Conflicts: []*Conflict{}},
		"nil elements": {Format: Format, Services: []*Service{nil, {Methods: []*Method{nil, {Bindings: []*Binding{nil, {PathParams: []*PathParam{nil}}}}}}}},
	}
	// Every golden registration the plugin's tests hold.
	var goldens []string
	err := filepath.WalkDir("../plugin/testdata/golden", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".json") {
			goldens = append(goldens, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range goldens {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		r := new(Registration)
		if err := json.Unmarshal(data, r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		tests[path] = r
	}
	if len(tests) < 10 {
		t.Fatalf("found only %d cases; the golden files moved?", len(tests))
	}
	for name, r := range tests {
		if diff := cmp.Diff(referenceJSON(t, r), string(AppendJSON(nil, r))); diff != "" {
			t.Errorf("%s (-encoding/json +AppendJSON):\n%s", name, diff)
		}
	}
}

// FuzzJSONString compares string escaping with encoding/json on any input.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "\"\\/\b\f\n\r\t\x00\x1f\x7f", "<>&", "\u2028\u2029", "\xff\xfe", "é€😀", strings.Repeat("a", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := &Registration{Format: s, Files: []string{s}}
		if got, want := string(AppendJSON(nil, r)), referenceJSON(t, r); got != want {
			t.Errorf("string %q:\n got %s\nwant %s", s, got, want)
		}
	})
}
