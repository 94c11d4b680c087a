package load

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// baseJSON is a small valid registration with one of each list the model
// has; the bad documents below are edits of it. Lines matter: the expected
// errors name them.
const baseJSON = `{
  "format": "registration.v1",
  "files": ["a/v1/a.proto"],
  "services": [
    {
      "name": "a.v1.S",
      "package": "a.v1",
      "file": "a/v1/a.proto",
      "methods": [
        {
          "name": "Get",
          "full_name": "a.v1.S.Get",
          "input_type": "a.v1.GetRequest",
          "output_type": "a.v1.Thing",
          "streaming": "unary",
          "kind": "get",
          "bindings": [{"method": "GET", "path": "/v1/{name=things/*}", "source": "annotation"}]
        }
      ],
      "capabilities": [{"name": "read", "source": "inferred", "methods": ["Get"]}],
      "dependencies": [{"service": "b.v1.T", "kind": "schema", "external": true}],
      "events": [{"name": "a.v1.Thing.created", "source": "declared"}]
    }
  ]
}
`

// baseYAML is baseJSON in YAML.
const baseYAML = `format: registration.v1
files:
  - a/v1/a.proto
services:
  - name: a.v1.S
    package: a.v1
    file: a/v1/a.proto
    methods:
      - name: Get
        full_name: a.v1.S.Get
        input_type: a.v1.GetRequest
        output_type: a.v1.Thing
        streaming: unary
        kind: get
        bindings:
          - method: GET
            path: /v1/{name=things/*}
            source: annotation
    capabilities:
      - name: read
        source: inferred
        methods: [Get]
    dependencies:
      - service: b.v1.T
        kind: schema
        external: true
    events:
      - name: a.v1.Thing.created
        source: declared
`

// edit replaces old, which must occur once, in doc.
func edit(t *testing.T, doc, old, new string) string {
	t.Helper()
	if n := strings.Count(doc, old); n != 1 {
		t.Fatalf("%q occurs %d times", old, n)
	}
	return strings.Replace(doc, old, new, 1)
}

// TestBadDocuments checks the whole error for each kind of document Bytes
// refuses, JSON and YAML.
func TestBadDocuments(t *testing.T) {
	j := func(old, new string) string { return edit(t, baseJSON, old, new) }
	y := func(old, new string) string { return edit(t, baseYAML, old, new) }
	tests := []struct {
		name, file, doc, want string
	}{
		// Documents that are not JSON or YAML at all.
		{"empty", "a.json", "", "a.json: empty file"},
		{"blank", "a.yaml", " \n\t\n", "a.yaml: empty file"},
		{"only comments", "a.yaml", "# nothing\n", "a.yaml: no YAML document: only comments"},
		{"json syntax", "a.json", j(`"files": ["a/v1/a.proto"]`, `"files": [,]`), `a.json:3:13: invalid character ',' looking for beginning of value`},
		{"json truncated", "a.json", baseJSON[:100], "a.json:6:17: unexpected end of file"},
		{"yaml syntax", "a.yaml", y("  - a/v1/a.proto\n", "  - [a/v1/a.proto\n"), "a.yaml:3: did not find expected ',' or ']'"},

		// Data after the document.
		{"json trailing", "a.json", baseJSON + "{}\n", "a.json:26:1: data after the end of the document"},
		{"json trailing garbage", "a.json", baseJSON + "x", "a.json:26:1: data after the end of the document"},
		{"yaml second document", "a.yaml", baseYAML + "---\nformat: registration.v1\n", "a.yaml:30:1: data after the end of the document: a second YAML document"},

		// Duplicate fields, which JSON decoders resolve silently.
		{"json duplicate field", "a.json", j(`"package": "a.v1",`, `"package": "a.v1", "package": "b.v1",`), `a.json:7:26: at /services/0/package: duplicate field "package"`},
		{"yaml duplicate field", "a.yaml", y("    package: a.v1\n", "    package: a.v1\n    package: b.v1\n"), `a.yaml:7:5: at /services/0/package: duplicate field "package"`},

		// Nulls where a value is expected: a service, a method, each kind
		// of list element, a scalar.
		{"json null service", "a.json", j(`"services": [`, `"services": [null, `), `a.json:4:16: at /services/0: value must be an object; got null`},
		{"json null method", "a.json", j("\"methods\": [\n", "\"methods\": [null,\n"), `a.json:9:19: at /services/0/methods/0: value must be an object; got null`},
		{"json null binding", "a.json", j(`"bindings": [`, `"bindings": [null, `), `a.json:17:24: at /services/0/methods/0/bindings/0: value must be an object; got null`},
		{"json null capability", "a.json", j(`"capabilities": [`, `"capabilities": [null, `), `a.json:20:24: at /services/0/capabilities/0: value must be an object; got null`},
		{"json null dependency", "a.json", j(`"dependencies": [`, `"dependencies": [null, `), `a.json:21:24: at /services/0/dependencies/0: value must be an object; got null`},
		{"json null event", "a.json", j(`"events": [`, `"events": [null, `), `a.json:22:18: at /services/0/events/0: value must be an object; got null`},
		{"json null file", "a.json", j(`"files": [`, `"files": [null, `), `a.json:3:13: at /files/0: value must be a string; got null`},
		{"json null list", "a.json", j("\"methods\": [\n", "\"methods\": null, \"x\": [\n"), `a.json:9:18: at /services/0/methods: value must be an array; got null`},
		{"json null scalar", "a.json", j(`"kind": "get"`, `"kind": null`), `a.json:16:19: at /services/0/methods/0/kind: value must be one of "get", "list", "create", "update", "delete", "batch_get", "batch_create", "batch_update", "batch_delete", "search", "watch", "import", "export", "custom"; got null`},
		{"yaml null method", "a.yaml", y("    methods:\n", "    methods:\n      - null\n"), `a.yaml:9:9: at /services/0/methods/0: value must be an object; got null`},
		{"yaml empty element", "a.yaml", y("    events:\n", "    events:\n      -\n"), `a.yaml:28:8: at /services/0/events/0: value must be an object; got null`},
		{"yaml null capability", "a.yaml", y("    capabilities:\n", "    capabilities:\n      - ~\n"), `a.yaml:20:9: at /services/0/capabilities/0: value must be an object; got null`},

		// Values outside an enumeration, wrong types, missing and unknown
		// fields, the wrong format.
		{"json unknown enum", "a.json", j(`"unary"`, `"sideways"`), `a.json:15:24: at /services/0/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got "sideways"`},
		{"yaml unknown enum", "a.yaml", y("streaming: unary", "streaming: sideways"), `a.yaml:13:20: at /services/0/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got "sideways"`},
		{"json wrong type", "a.json", j(`"external": true`, `"external": "yes"`), `a.json:21:76: at /services/0/dependencies/0/external: value must be a boolean; got "yes"`},
		{"yaml wrong type", "a.yaml", y("external: true", "external: yes please"), `a.yaml:26:19: at /services/0/dependencies/0/external: value must be a boolean; got "yes please"`},
		{"yaml list for object", "a.yaml", y("    methods:\n", "    methods: {}\n    x:\n"), `a.yaml:8:14: at /services/0/methods: value must be an array; got an object`},
		{"json missing field", "a.json", j(`"kind": "get",`, ``), `a.json:10:9: at /services/0/methods/0: missing field "kind"`},
		{"json unknown field", "a.json", j(`"package": "a.v1",`, `"package": "a.v1", "colour": "red",`), `a.json:7:26: at /services/0/colour: unknown field "colour"`},
		{"yaml unknown field", "a.yaml", y("    package: a.v1\n", "    package: a.v1\n    colour: red\n"), `a.yaml:7:5: at /services/0/colour: unknown field "colour"`},
		{"json wrong format", "a.json", j(`"registration.v1"`, `"registration.v3"`), `a.json:2:13: at /format: value must be one of "registration.v2", "registration.v1"; got "registration.v3"`},
		{"json not a full name", "a.json", j(`"name": "a.v1.S",`, `"name": "a v1",`), `a.json:6:15: at /services/0/name: value must be a full name: dot-separated identifiers such as library.v1.Book; got "a v1"`},
		{"json body", "a.json", j(`"method": "GET",`, `"method": "GET", "body": "a b",`), `a.json:17:50: at /services/0/methods/0/bindings/0/body: value must be "*" or a field path: dot-separated identifiers such as book.name; got "a b"`},
		{"json custom verb", "a.json", j(`"method": "GET"`, `"method": "PURGE"`), `a.json:17:35: at /services/0/methods/0/bindings/0/method: value must be one of "GET", "PUT", "POST", "DELETE", "PATCH"; got "PURGE"`},
		{"yaml not an object", "a.yaml", "- format\n", `a.yaml:1:1: value must be an object; got an array`},

		// Rules beyond the schema.
		{"json duplicate service", "a.json", j(`"services": [`, `"services": [{"name": "a.v1.S", "package": "a.v1", "file": "a/v1/a.proto", "methods": []}, `),
			`a.json:6:15: at /services/1/name: service "a.v1.S" is listed twice: first at /services/0`},
		{"yaml duplicate method", "a.yaml", y("    methods:\n", "    methods:\n      - {name: Get, full_name: a.v1.S.Get, input_type: a.v1.R, output_type: a.v1.R, streaming: unary, kind: custom}\n"),
			`a.yaml:10:15: at /services/0/methods/1/name: method "Get" is listed twice in service "a.v1.S": first at /services/0/methods/0`},
		{"json bad path", "a.json", j(`"/v1/{name=things/*}"`, `"/v1//{name=things/*}"`), `a.json:17:50: at /services/0/methods/0/bindings/0/path: path template "/v1//{name=things/*}": offset 4: empty segment`},
		{"yaml bad path", "a.yaml", y("path: /v1/{name=things/*}", "path: /v1/{name=things/*"), `a.yaml:17:19: at /services/0/methods/0/bindings/0/path: path template "/v1/{name=things/*": offset 4: unterminated variable`},
		{"json two deep wildcards", "a.json", j(`"/v1/{name=things/*}"`, `"/v1/**/{name=things/**}"`), `a.json:17:50: at /services/0/methods/0/bindings/0/path: path template "/v1/**/{name=things/**}": offset 20: only one '**' is allowed per template`},

		// YAML the format does not use.
		{"yaml alias", "a.yaml", y("    package: a.v1\n    file: a/v1/a.proto\n", "    package: &p a.v1\n    file: *p\n"), `a.yaml:7:11: at /services/0/file: YAML aliases are not supported`},
		{"yaml merge key", "a.yaml", y("  - name: a.v1.S\n", "  - <<: {owner: me}\n    name: a.v1.S\n"), `a.yaml:5:5: at /services/0: YAML merge keys (<<) are not supported`},
		{"yaml tag", "a.yaml", y("    package: a.v1\n", "    package: !pkg a.v1\n"), `a.yaml:6:14: at /services/0/package: unsupported YAML tag "!pkg"`},
		{"yaml infinity", "a.yaml", y("services:\n", "diagnostics:\n  - {rule: R, file: a.proto, element: a.v1.S, message: m, line: .inf}\nservices:\n"), `a.yaml:5:65: at /diagnostics/0/line: number ".inf" is not finite`},
		{"json number too large", "a.json", j(`"services": [`, `"diagnostics": [{"rule": "R", "file": "a.proto", "element": "a.v1.S", "message": "m", "line": 1e30}], "services": [`),
			`a.json:4:97: at /diagnostics/0/line: value must be a whole number of at most 64 bits; got 1e30`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := Bytes(tt.file, []byte(tt.doc))
			if err == nil {
				t.Fatalf("accepted:\n%s", tt.doc)
			}
			if reg != nil {
				t.Errorf("a registration as well as an error")
			}
			var le *Error
			if !errors.As(err, &le) {
				t.Errorf("error %T, want *Error", err)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", got, tt.want)
			}
		})
	}
}

// TestGoodDocuments: the base documents, every golden output of the plugin
// and the example's registrations load; "**" followed by more segments,
// which googleapis has and the plugin accepts, is accepted.
func TestGoodDocuments(t *testing.T) {
	docs := map[string]string{
		"base.json":      baseJSON,
		"base.yaml":      baseYAML,
		"deep.json":      edit(t, baseJSON, `"/v1/{name=things/*}"`, `"/v1/{parent=projects/*/documents/**}/{collection_id}"`),
		"leading.yaml":   "---\n" + baseYAML,
		"ended.yaml":     baseYAML + "...\n",
		"timestamp.yaml": edit(t, baseYAML, "    package: a.v1\n", "    package: a.v1\n    description: 2026-12-01\n"),
		"crlf.json":      strings.ReplaceAll(baseJSON, "\n", "\r\n"),
	}
	for _, f := range seedFiles(t) {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(filepath.Dir(f)) == "testdata" {
			continue // the bad documents of cmd/registration
		}
		docs[f] = string(data)
	}
	for name, doc := range docs {
		reg, err := Bytes(name, []byte(doc))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		// The model is built as encoding/json and yaml build it.
		want, err := codec.Unmarshal(name, []byte(doc))
		if err != nil {
			t.Errorf("%s: codec.Unmarshal: %v", name, err)
			continue
		}
		if diff := cmp.Diff(want, reg); diff != "" {
			t.Errorf("%s: (-codec.Unmarshal +Bytes):\n%s", name, diff)
		}
	}
	// YAML and JSON give the same registration.
	j, err := Bytes("a.json", []byte(baseJSON))
	if err != nil {
		t.Fatal(err)
	}
	y, err := Bytes("a.yaml", []byte(baseYAML))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(j, y, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("JSON and YAML differ (-json +yaml):\n%s", diff)
	}
}

// TestCheckEveryProblem: Check returns every problem, in document order.
func TestCheckEveryProblem(t *testing.T) {
	doc := edit(t, baseJSON, `"unary"`, `"sideways"`)
	doc = edit(t, doc, `"format": "registration.v1",`, `"format": "registration.v1", "colour": 1,`)
	doc = edit(t, doc, `"source": "declared"`, `"source": null`)
	reg, errs := Check("a.json", []byte(doc))
	if reg != nil {
		t.Error("a registration as well as errors")
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		`a.json:2:32: at /colour: unknown field "colour"`,
		`a.json:15:24: at /services/0/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got "sideways"`,
		`a.json:22:59: at /services/0/events/0/source: value must be one of "inferred", "declared"; got null`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestErrorString(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "a.json", Msg: "empty file"}, "a.json: empty file"},
		{Error{File: "a.yaml", Line: 3, Msg: "bad"}, "a.yaml:3: bad"},
		{Error{File: "a.json", Pointer: "/services/0", Line: 3, Column: 7, Msg: "bad"}, "a.json:3:7: at /services/0: bad"},
		{Error{File: "a.json", Pointer: "/a~1b", Msg: "bad"}, "a.json: at /a~1b: bad"},
		{Error{File: "a.json", Pointer: "/a\nb", Msg: "bad"}, `a.json: at "/a\nb": bad`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
	if got := pointer([]string{"a/b", "c~d", "0"}); got != "/a~1b/c~0d/0" {
		t.Errorf("pointer: %q", got)
	}
}

// TestFiles reads several files: services once each, in the order first
// read; standard input once; a missing file's error from the file system.
func TestFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a := write("a.json", baseJSON)
	b := write("b.yaml", edit(t, baseYAML, "  - name: a.v1.S\n", "  - name: b.v1.S\n    package: b.v1\n    file: b/v1/b.proto\n    methods: []\n  - name: a.v1.S\n"))
	set, err := Files([]string{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range set.Services {
		names = append(names, s.Name)
	}
	if diff := cmp.Diff([]string{"a.v1.S", "b.v1.S"}, names); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
	if set.ByName["a.v1.S"] != set.Services[0] {
		t.Error("ByName does not hold the first a.v1.S")
	}
	for _, tt := range []struct{ name, want, err string }{
		{"a.v1.S", "a.v1.S", ""},
		{"S", "", `service "S" is ambiguous: a.v1.S, b.v1.S`},
		{"v1.S", "", `service "v1.S" is ambiguous: a.v1.S, b.v1.S`},
		{"T", "", `service "T" is not in the registrations`},
	} {
		s, err := set.Find(tt.name)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("Find(%q): error %v, want %q", tt.name, err, tt.err)
		case tt.err == "" && (err != nil || s.Name != tt.want):
			t.Errorf("Find(%q): %v, %v", tt.name, s, err)
		}
	}
	if _, err := set.Find("T"); !errors.Is(err, ErrNoService) {
		t.Errorf("Find of a missing service: %v does not wrap ErrNoService", err)
	}

	if _, err := Files([]string{filepath.Join(dir, "missing.json")}); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Files([]string{Stdin, a, Stdin}); err == nil || err.Error() != `standard input ("-") named twice` {
		t.Errorf("stdin twice: %v", err)
	}
	bad := write("bad.json", edit(t, baseJSON, `"unary"`, `"sideways"`))
	if _, err := Files([]string{a, bad}); err == nil || !strings.HasPrefix(err.Error(), bad+":15:24: at /services/0/methods/0/streaming: ") {
		t.Errorf("bad file: %v", err)
	}
}

// TestStdin reads standard input, which errors name "<stdin>".
func TestStdin(t *testing.T) {
	withStdin := func(content string, f func()) {
		t.Helper()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		go func() {
			w.WriteString(content)
			w.Close()
		}()
		saved := os.Stdin
		os.Stdin = r
		defer func() { os.Stdin = saved; r.Close() }()
		f()
	}
	withStdin(baseYAML, func() {
		if reg, err := File(Stdin); err != nil || len(reg.Services) != 1 {
			t.Errorf("stdin: %v", err)
		}
	})
	withStdin(edit(t, baseYAML, "streaming: unary", "streaming: sideways"), func() {
		_, err := File(Stdin)
		if want := `<stdin>:13:20: at /services/0/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got "sideways"`; err == nil || err.Error() != want {
			t.Errorf("stdin: %v, want %s", err, want)
		}
	})
}

// seedFiles lists the registrations the tests and fuzz targets start from:
// the plugin's goldens, the example's output and the bad documents of
// cmd/registration.
func seedFiles(t testing.TB) []string {
	var files []string
	for _, root := range []string{"../../plugin/testdata/golden", "../../example/gen"} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if ext := filepath.Ext(path); !d.IsDir() && (ext == ".json" || ext == ".yaml") {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	bad, err := filepath.Glob("../../cmd/registration/testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, bad...)
	if len(files) < 20 {
		t.Fatalf("only %d seed files", len(files))
	}
	return files
}

// TestFastPatterns holds the hand-written matchers to regexp, on strings
// near each pattern's edges; FuzzFastPatterns tries more.
func TestFastPatterns(t *testing.T) {
	inputs := []string{"", "/", "a", "A", "_", "0", "a.b", "a..b", ".a", "a.", "a.0", "a_b.C9", "a b", "a.proto", "/a.proto", ".proto",
		"x.proto", "\n.proto", "a\n.proto", "é.proto", "a/b/c.proto", "a.protox", "a.PROTO", "\xff.proto", "a\xff.proto",
		"v", "v1", "v10", "v1beta2", "v1Beta", "v1b", "v1b2c", "va", "V1", "v1-b", "v1b_", "A", "AB_9", "A-B", "_A", "Ab",
		"/x", "x/", "é", "a\nb", "a.b\n", "ABC\n"}
	for pattern, fast := range fastPatterns {
		re := regexp.MustCompile(pattern)
		for _, s := range inputs {
			if got, want := fast(s), re.MatchString(s); got != want {
				t.Errorf("%s: %q: fast %v, regexp %v", pattern, s, got, want)
			}
		}
	}
	// Every pattern of the schema has a fast matcher.
	for _, m := range regexp.MustCompile(`"pattern": "((?:[^"\\]|\\.)*)"`).FindAllSubmatch(schema.JSON, -1) {
		var p string
		if err := json.Unmarshal([]byte(`"`+string(m[1])+`"`), &p); err != nil {
			t.Fatal(err)
		}
		if _, ok := fastPatterns[p]; !ok {
			t.Errorf("schema pattern %q has no fast matcher", p)
		}
	}
}

func FuzzFastPatterns(f *testing.F) {
	for _, s := range []string{"a.b.C", "v1beta2", "a/b.proto", "HTTP_X", "/v1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for pattern, fast := range fastPatterns {
			if got, want := fast(s), regexp.MustCompile(pattern).MatchString(s); got != want {
				t.Errorf("%s: %q: fast %v, regexp %v", pattern, s, got, want)
			}
		}
	})
}

// TestLargeDocument: a document large enough for its services to be
// validated in parallel gives the errors the serial validation gives, in
// document order.
func TestLargeDocument(t *testing.T) {
	var services []string
	for i := range 400 {
		services = append(services, fmt.Sprintf(`{"name": "a.v1.S%d", "package": "a.v1", "file": "a/v1/a.proto", "methods": [
        {"name": "Get", "full_name": "a.v1.S%d.Get", "input_type": "a.v1.R", "output_type": "a.v1.R", "streaming": "unary", "kind": "get"}]}`, i, i))
	}
	services[7] = strings.Replace(services[7], `"unary"`, `"sideways"`, 1)
	services[150] = strings.Replace(services[150], `"methods": [`, `"methods": [null, `, 1)
	services[151] = strings.Replace(services[151], `"name": "a.v1.S151"`, `"name": "a.v1.S3"`, 1)
	// Messages and enums are validated in parallel too.
	var messages []string
	for i := range 100 {
		messages = append(messages, fmt.Sprintf(`{"name": "a.v1.M%d", "file": "a/v1/a.proto", "fields": [{"name": "f", "number": 1, "json_name": "f", "type": "string"}]}`, i))
	}
	messages[42] = strings.Replace(messages[42], `"string"`, `"blob"`, 1)
	enums := []string{`{"name": "a.v1.E", "file": "a/v1/a.proto", "values": ["E_UNSPECIFIED"]}`, `{"name": "a.v1.F", "file": "a/v1/a.proto", "values": null}`}
	doc := `{"format": "registration.v1", "colour": 1, "files": [], "services": [` + strings.Join(services, ",\n") + "],\n" +
		`"messages": [` + strings.Join(messages, ",\n") + "],\n" + `"enums": [` + strings.Join(enums, ",\n") + "]}\n"
	if len(doc) < parallelSize {
		t.Fatalf("the document has %d bytes, fewer than %d", len(doc), parallelSize)
	}
	errorsOf := func() []string {
		_, errs := Check("big.json", []byte(doc))
		var out []string
		for _, e := range errs {
			out = append(out, e.Error())
		}
		return out
	}
	parallel := errorsOf()
	want := []string{
		`big.json:1:31: at /colour: unknown field "colour"`,
		`big.json:16:115: at /services/7/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got "sideways"`,
		`big.json:301:78: at /services/150/methods/0: value must be an object; got null`,
		`big.json:843:110: at /messages/42/fields/0/type: value must be one of "double", "float", "int64", "uint64", "int32", "fixed64", "fixed32", "bool", "string", "group", "message", "bytes", "uint32", "enum", "sfixed32", "sfixed64", "sint32", "sint64"; got "blob"`,
		`big.json:902:54: at /enums/1/values: value must be an array; got null`,
	}
	if diff := cmp.Diff(want, parallel); diff != "" {
		t.Errorf("parallel (-want +got):\n%s", diff)
	}
	defer func(n int) { parallelSize = n }(parallelSize)
	parallelSize = len(doc) + 1
	if diff := cmp.Diff(parallel, errorsOf()); diff != "" {
		t.Errorf("(-parallel +serial):\n%s", diff)
	}
	// Without the schema's problems, the duplicate is found.
	doc = strings.Replace(strings.Replace(strings.Replace(doc, `"sideways"`, `"unary"`, 1), `[null, `, `[`, 1), `"colour": 1, `, "", 1)
	doc = strings.Replace(strings.Replace(doc, `"blob"`, `"string"`, 1), `"values": null`, `"values": []`, 1)
	if got, want := errorsOf(), []string{`big.json:303:10: at /services/151/name: service "a.v1.S3" is listed twice: first at /services/3`}; !cmp.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// full returns a registration in which every field of every type is set,
// valid against the schema.
func full() *registration.Registration {
	return &registration.Registration{
		Format: registration.Format,
		Files:  []string{"a/v1/a.proto", "b.proto"},
		Services: []*registration.Service{{
			Name: "a.v1.S", Package: "a.v1", Version: "v1", File: "a/v1/a.proto", Line: 7, Column: 1, Owner: "team-a", Tags: []string{"x", "y"},
			DefaultHost: "a.example.com", OAuthScopes: []string{"https://www.example.com/auth/a"},
			Description: "line one\n  \"quoted\" \\ <tag> & \u2028 \x01 é\ttab",
			Deprecated:  true,
			Methods: []*registration.Method{{
				Name: "M", FullName: "a.v1.S.M", Line: 9, Column: 3, InputType: "a.v1.Req", OutputType: "a.v1.Res",
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
			}},
			Capabilities: []*registration.Capability{{Name: "crud", Source: registration.SourceRule, Methods: []string{"M"}}},
			Dependencies: []*registration.Dependency{{Service: "b.v1.T", Kind: registration.DependencyResource, External: true, ResourceType: "b.example.com/T",
				Resolution: registration.ResolutionSameAPI, AcrossFiles: true, Candidates: []string{"b.v1.T", "b.v2.T"}, Evidence: []string{"a.v1.Req.t"}}},
			Events:       []*registration.Event{{Name: "a.v1.Thing.updated", Method: "a.v1.S.M", Source: registration.SourceInferred}},
			Health:       &registration.Health{GRPCService: "a.v1.S", HTTPPath: "/healthz", Source: registration.SourceInferred},
			MessageTypes: []string{"a.v1.Req", "a.v1.Res"},
		}},
		Conflicts: []*registration.Conflict{{Host: "a.example.com", Method: "GET",
			First: registration.ConflictSide{RPC: "a.v1.S.M", Path: "/v1/{name=a/*}"}, Second: registration.ConflictSide{RPC: "a.v1.S.N", Path: "/v1/{x=a/*}"}}},
		Diagnostics: []*registration.Diagnostic{{Rule: "HTTP_DEEP_WILDCARD_NOT_LAST", File: "a/v1/a.proto", Line: 12, Column: 5, Element: "a.v1.S.M", Message: "m"}},
		Messages: []*registration.Message{{Name: "a.v1.Req", File: "a/v1/a.proto", Line: 20, Column: 1, Fields: []*registration.Field{
			{Name: "labels", Number: 2, JSONName: "labels", Type: "enum", TypeName: "a.v1.Color", MapKey: "string", Cardinality: registration.CardinalityMap, Required: true, OutputOnly: true, Oneof: "which", Line: 21, Column: 3},
			{Name: "thing", Number: 1, JSONName: "thing", Type: "message", TypeName: "a.v1.Thing", MapKey: "int64", Cardinality: registration.CardinalityOptional, Required: true, OutputOnly: true, Oneof: "which", Line: 22, Column: 3},
		}}},
		Enums: []*registration.Enum{{Name: "a.v1.Color", File: "a/v1/a.proto", Line: 30, Column: 1, Values: []string{"COLOR_UNSPECIFIED", "RED"}}},
	}
}

// zeroFields returns the paths of the fields of v, followed through
// pointers and the first element of slices, that are zero.
func zeroFields(v reflect.Value, path string) []string {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path}
		}
		return zeroFields(v.Elem(), path)
	case reflect.Slice:
		if v.Len() == 0 {
			return []string{path}
		}
		return zeroFields(v.Index(0), path+"[0]")
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			out = append(out, zeroFields(v.Field(i), path+"."+v.Type().Field(i).Name)...)
		}
		return out
	}
	if v.IsZero() {
		return []string{path}
	}
	return nil
}

// TestEveryField: a registration with every field set comes back whole
// from JSON and YAML, so the model is built field by field as the
// encodings write it.
func TestEveryField(t *testing.T) {
	r := full()
	if zero := zeroFields(reflect.ValueOf(r), "Registration"); len(zero) > 0 {
		t.Fatalf("full() leaves fields unset (add them): %v", zero)
	}
	for _, enc := range []codec.Encoding{codec.JSON, codec.YAML} {
		data, err := codec.Marshal(r, enc)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Bytes("full"+enc.Extension(), data)
		if err != nil {
			t.Fatalf("%s: %v\n%s", enc, err, data)
		}
		if diff := cmp.Diff(r, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", enc, diff)
		}
	}
}

// TestServicesOnly: a reader of services steps over messages and enums,
// which it does not check against the schema, but still refuses a syntax
// error or a duplicate among them, and checks the rest as ever.
func TestServicesOnly(t *testing.T) {
	const services = `"services": [{"name": "a.v1.S", "package": "a.v1", "file": "a/v1/a.proto", "methods": []}]`
	read := func(doc string) (*registration.Registration, error) {
		return Reader{ServicesOnly: true}.Bytes("r.json", []byte(doc))
	}
	// A message the schema refuses (a field without a name) is not read.
	reg, err := read(`{"format": "registration.v2", "files": [], ` + services + `, "messages": [{"fields": [{}]}], "enums": [{"name": 1}]}`)
	if err != nil {
		t.Fatal(err)
	}
	if len(reg.Services) != 1 || reg.Messages != nil || reg.Enums != nil {
		t.Errorf("got %d services, messages %v, enums %v; want 1 service and no messages or enums", len(reg.Services), reg.Messages, reg.Enums)
	}
	// The whole reader refuses the same document.
	if _, err := Bytes("r.json", []byte(`{"format": "registration.v2", "files": [], `+services+`, "messages": [{"fields": [{}]}]}`)); err == nil {
		t.Error("the whole reader accepts a message without a name")
	}
	for doc, want := range map[string]string{
		`{"format": "registration.v2", "files": [], ` + services + `, "messages": [{"fields": [}]}`:                    `r.json:1:161: invalid character '}' looking for beginning of value`,
		`{"format": "registration.v2", "files": [], ` + services + `, "messages": [], "messages": []}`:                 `r.json:1:152: at /messages: duplicate field "messages"`,
		`{"format": "registration.v2", "files": [], ` + services + `, "messages": [], "colour": []}`:                   `r.json:1:152: at /colour: unknown field "colour"`,
		`{"format": "registration.v2", "files": [], "services": [{"name": "a.v1.S"}], "messages": [{"fields": [{}]}]}`: `r.json:1:57: at /services/0: missing fields "package", "file", "methods"`,
	} {
		if _, err := read(doc); err == nil || err.Error() != want {
			t.Errorf("%s:\ngot  %v\nwant %s", doc, err, want)
		}
	}
	// YAML, converted whole, leaves them out too.
	reg, err = read("format: registration.v2\nfiles: []\n" + `services: [{name: a.v1.S, package: a.v1, file: a/v1/a.proto, methods: []}]` + "\nmessages: [{fields: [{}]}]\n")
	if err != nil || reg.Messages != nil {
		t.Errorf("YAML: got messages %v, error %v; want neither", reg, err)
	}
}

// TestMergeTypes: merged registrations describe every message and enum
// once, sorted, the located description winning whatever the order of the
// files, as per-file output locates a type only in its own file.
func TestMergeTypes(t *testing.T) {
	located := &registration.Message{Name: "a.v1.M", File: "a/v1/a.proto", Line: 3, Column: 1}
	bare := &registration.Message{Name: "a.v1.M", File: "a/v1/a.proto"}
	other := &registration.Message{Name: "a.v1.A", File: "a/v1/a.proto"}
	enum := &registration.Enum{Name: "a.v1.E", File: "a/v1/a.proto", Line: 9, Column: 1}
	first := &registration.Registration{Messages: []*registration.Message{bare, other}}
	second := &registration.Registration{Messages: []*registration.Message{located}, Enums: []*registration.Enum{enum}}
	for _, regs := range [][]*registration.Registration{{first, second}, {second, first}} {
		s := Merge(regs...)
		if want := []*registration.Message{other, located}; !cmp.Equal(s.Messages, want) {
			t.Errorf("messages %v, want %v", s.Messages, want)
		}
		if want := []*registration.Enum{enum}; !cmp.Equal(s.Enums, want) {
			t.Errorf("enums %v, want %v", s.Enums, want)
		}
		if doc := s.Registration(); len(doc.Messages) != 2 || len(doc.Enums) != 1 {
			t.Errorf("Registration() has %d messages and %d enums, want 2 and 1", len(doc.Messages), len(doc.Enums))
		}
	}
}
