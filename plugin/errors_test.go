package plugin

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/descriptorpb"
	"google.golang.org/protobuf/types/pluginpb"
)

// TestErrors checks the whole message of every error the user can cause,
// and that an error response carries no files.
func TestErrors(t *testing.T) {
	const valid = "testdata/errors/valid"
	tests := []struct {
		name   string
		dir    string // a directory of testdata/errors or testdata/cases
		params string
		want   string
	}{
		{name: "additional_bad_template", dir: "testdata/errors/additional_bad_template", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: additional_bindings[0]: post: path template "v1/b": offset 0: template must start with '/'`},
		{name: "bad_template", dir: "testdata/errors/bad_template", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get: path template "/v1/{name=shelves/*": offset 4: unterminated variable`},
		{name: "body_map", dir: "testdata/errors/body_map", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: post "/v1/things": body "labels": field errs.v1.Req.labels is a map`},
		{name: "body_missing", dir: "testdata/errors/body_missing", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: post "/v1/things": body "nope": no field "nope" in message errs.v1.Req`},
		{name: "body_repeated", dir: "testdata/errors/body_repeated", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: post "/v1/things": body "tags": field errs.v1.Req.tags is repeated`},
		{name: "get_with_body", dir: "testdata/errors/get_with_body", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get "/v1/things": a GET binding may not have a body (body: "*")`},
		{name: "map_field", dir: "testdata/errors/map_field", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get "/v1/{labels}": path variable "labels": field errs.v1.Req.labels is a map`},
		{name: "message_leaf", dir: "testdata/errors/message_leaf", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get "/v1/{page}": path variable "page": field errs.v1.Req.page is a message (errs.v1.Page); a path variable must name a scalar field`},
		{name: "missing_field", dir: "testdata/errors/missing_field", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get "/v1/{title}": path variable "title": no field "title" in message errs.v1.Req`},
		{name: "nested_additional", dir: "testdata/errors/nested_additional", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: additional_bindings[0]: additional_bindings may not be nested`},
		{name: "nested_missing_field", dir: "testdata/errors/nested_missing_field", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get "/v1/{page.number}": path variable "page.number": no field "number" in message errs.v1.Page`},
		{name: "no_pattern", dir: "testdata/errors/no_pattern", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: no HTTP method: set one of get, put, post, delete, patch or custom`},
		{name: "repeated_field", dir: "testdata/errors/repeated_field", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get "/v1/{tags}": path variable "tags": field errs.v1.Req.tags is repeated`},
		{name: "response_body_missing", dir: "testdata/errors/response_body_missing", want: `errs/v1/errs.proto:11:5: method errs.v1.Broken.Bad: get "/v1/things": response_body "nope": no field "nope" in message errs.v1.Res`},
		{name: "config_bad_template", dir: valid, params: "grpc_api_configuration=testdata/errors/config_bad_template.yaml", want: `testdata/errors/config_bad_template.yaml:3:7: http rule for method errs.v1.Broken.Fine: get: path template "/v1/{name=**/x": offset 4: unterminated variable`},
		// "**" before more segments is served by production gateways: a
		// warning in the output, an error with strict=true.
		{name: "config_deep_wildcard_strict", dir: valid, params: "strict=true,grpc_api_configuration=testdata/errors/config_deep_wildcard.yaml", want: `testdata/errors/config_deep_wildcard.yaml:3:7: method errs.v1.Broken.Fine: get "/v1/{name=**}/x": '**' is followed by more segments; http.proto allows it only last (strict=true; rule HTTP_DEEP_WILDCARD_NOT_LAST)`},
		// Every problem of every file, sorted by file and position.
		{name: "many", dir: "testdata/errors/many", want: `a/v1/a.proto:9:5: method a.v1.First.One: get: path template "/v1/{name": offset 4: unterminated variable
a/v1/a.proto:17:5: method a.v1.First.Two: post "/v1/two": body "nope": no field "nope" in message a.v1.Req
b/v1/b.proto:11:3: service b.v1.Second: option (registration.v1.service): health_path "healthz": want an absolute URL path such as /healthz
b/v1/b.proto:14:5: method b.v1.Second.Late: get "/v1/{missing}": path variable "missing": no field "missing" in message b.v1.Req`},
		{name: "many_capped", dir: "testdata/errors/many", params: "max_errors=2", want: `a/v1/a.proto:9:5: method a.v1.First.One: get: path template "/v1/{name": offset 4: unterminated variable
a/v1/a.proto:17:5: method a.v1.First.Two: post "/v1/two": body "nope": no field "nope" in message a.v1.Req
... and 2 more errors (max_errors=2; max_errors=0 lists all)`},
		{name: "config_missing_field", dir: valid, params: "grpc_api_configuration=testdata/errors/config_missing_field.yaml", want: `testdata/errors/config_missing_field.yaml:3:7: http rule for method errs.v1.Broken.Fine: post "/v1/{nope}": path variable "nope": no field "nope" in message errs.v1.Req`},
		{name: "config_no_selector", dir: valid, params: "grpc_api_configuration=testdata/errors/config_no_selector.yaml", want: `testdata/errors/config_no_selector.yaml:3:7: http.rules[0]: no selector: name the method the rule applies to`},
		{name: "config_not_mapping", dir: valid, params: "grpc_api_configuration=testdata/errors/config_not_mapping.yaml", want: `testdata/errors/config_not_mapping.yaml:1:1: want a mapping (a google.api.Service), got a list`},
		{name: "config_syntax", dir: valid, params: "grpc_api_configuration=testdata/errors/config_syntax.yaml", want: `testdata/errors/config_syntax.yaml:4: found unexpected end of stream`},
		{name: "config_two_methods", dir: valid, params: "grpc_api_configuration=testdata/errors/config_two_methods.yaml", want: `testdata/errors/config_two_methods.yaml:3:7: http.rules[0]: more than one HTTP method: set only one of get, put, post, delete, patch or custom`},
		{name: "config_unknown_field", dir: valid, params: "grpc_api_configuration=testdata/errors/config_unknown_field.yaml", want: `testdata/errors/config_unknown_field.yaml:5:7: http.rules[0]: unknown field "verb"`},
		{name: "config_unmatched", dir: valid, params: "grpc_api_configuration=testdata/errors/config_unmatched.yaml", want: `testdata/errors/config_unmatched.yaml:5:7: http rule selector "errs.v1.Missing.Method" matches no method`},
		{name: "option_missing_service", dir: "testdata/errors/option_missing_service", want: `errs/v1/errs.proto:12:3: service errs.v1.Broken: option (registration.v1.service): dependencies[0]: no service Nope in package errs.v1`},
		{name: "option_missing_method", dir: "testdata/errors/option_missing_method", want: `errs/v1/errs.proto:12:3: service errs.v1.Broken: option (registration.v1.service): dependencies[0]: service errs.v1.Other has no method "Pong"`},
		{name: "option_not_service", dir: "testdata/errors/option_not_service", want: `errs/v1/errs.proto:12:3: service errs.v1.Broken: option (registration.v1.service): dependencies[0]: errs.v1.Req is not a service`},
		{name: "option_bad_name", dir: "testdata/errors/option_bad_name", want: `errs/v1/errs.proto:12:3: service errs.v1.Broken: option (registration.v1.service): dependencies[0]: service "not a name" is not a full name`},
		{name: "option_health_path", dir: "testdata/errors/option_health_path", want: `errs/v1/errs.proto:12:3: service errs.v1.Broken: option (registration.v1.service): health_path "healthz": want an absolute URL path such as /healthz`},
		{name: "rules_bad_glob", dir: valid, params: "capability_rules=testdata/errors/rules_bad_glob.yaml", want: `testdata/errors/rules_bad_glob.yaml:3:23: rules[0].methods[1]: invalid pattern "[Get": syntax error in pattern`},
		{name: "rules_bad_regexp", dir: valid, params: "capability_rules=testdata/errors/rules_bad_regexp.yaml", want: "testdata/errors/rules_bad_regexp.yaml:3:13: rules[0].regexp: invalid regular expression \"(Get\": error parsing regexp: missing closing ): `(Get`"},
		{name: "rules_no_capability", dir: valid, params: "capability_rules=testdata/errors/rules_no_capability.yaml", want: `testdata/errors/rules_no_capability.yaml:2:5: rules[0]: no capability: name the capability the rule gives`},
		{name: "rules_no_methods", dir: valid, params: "capability_rules=testdata/errors/rules_no_methods.yaml", want: `testdata/errors/rules_no_methods.yaml:2:5: rules[0]: no methods or regexp: say which methods the rule matches`},
		{name: "rules_not_list", dir: valid, params: "capability_rules=testdata/errors/rules_not_list.yaml", want: `testdata/errors/rules_not_list.yaml:1:8: rules: want a list of rules, got "x"`},
		{name: "rules_syntax", dir: valid, params: "capability_rules=testdata/errors/rules_syntax.yaml", want: `testdata/errors/rules_syntax.yaml:2: did not find expected ',' or ']'`},
		{name: "rules_unknown_field", dir: valid, params: "capability_rules=testdata/errors/rules_unknown_field.yaml", want: `testdata/errors/rules_unknown_field.yaml:3:5: rules[0]: unknown field "method"`},
		{name: "rules_unknown_kind", dir: valid, params: "capability_rules=testdata/errors/rules_unknown_kind.yaml", want: `testdata/errors/rules_unknown_kind.yaml:4:18: rules[0].kinds[1]: unknown method kind "fetch"; known kinds: get, list, create, update, delete, batch_get, batch_create, batch_update, batch_delete, search, watch, import, export, custom`},
		{name: "rules_several_documents", dir: valid, params: "capability_rules=testdata/errors/rules_several_documents.yaml", want: `testdata/errors/rules_several_documents.yaml:4:1: several YAML documents; want one`},
		{name: "rules_unreadable", dir: valid, params: "capability_rules=testdata/errors/no-such-rules.yaml", want: `parameter capability_rules=testdata/errors/no-such-rules.yaml: no such file or directory`},
		{name: "rules_directory", dir: valid, params: "capability_rules=testdata/errors", want: `parameter capability_rules=testdata/errors: not a regular file but a directory`},
		{name: "config_several_documents", dir: valid, params: "grpc_api_configuration=testdata/errors/config_several_documents.yaml", want: `testdata/errors/config_several_documents.yaml:7:1: several YAML documents; want one`},
		{name: "config_unreadable", dir: valid, params: "grpc_api_configuration=testdata/errors/no-such.yaml", want: `parameter grpc_api_configuration=testdata/errors/no-such.yaml: no such file or directory`},
		{name: "allow_bad_glob", dir: valid, params: "conflicts_allow=testdata/errors/allow_bad_glob.yaml", want: `testdata/errors/allow_bad_glob.yaml:2:27: allow[0][1]: invalid pattern "errs.v1.Broken.[Bad": syntax error in pattern`},
		{name: "allow_grpc_path", dir: valid, params: "conflicts_allow=testdata/errors/allow_grpc_path.yaml", want: `testdata/errors/allow_grpc_path.yaml:2:6: allow[0][0]: "/errs.v1.Broken/Fine": want a full method name such as pkg.Service.Method, or a glob over them`},
		{name: "allow_not_list", dir: valid, params: "conflicts_allow=testdata/errors/allow_not_list.yaml", want: `testdata/errors/allow_not_list.yaml:1:8: allow: want a list of method pairs, got "errs.v1.Broken.Fine"`},
		{name: "allow_not_pair", dir: valid, params: "conflicts_allow=testdata/errors/allow_not_pair.yaml", want: `testdata/errors/allow_not_pair.yaml:4:5: allow[1]: want a pair of method names, got a list of 3`},
		{name: "allow_not_string", dir: valid, params: "conflicts_allow=testdata/errors/allow_not_string.yaml", want: `testdata/errors/allow_not_string.yaml:2:27: allow[0][1]: want a string, got a mapping`},
		{name: "allow_several_documents", dir: valid, params: "conflicts_allow=testdata/errors/allow_several_documents.yaml", want: `testdata/errors/allow_several_documents.yaml:3:1: several YAML documents; want one`},
		{name: "allow_syntax", dir: valid, params: "conflicts_allow=testdata/errors/allow_syntax.yaml", want: `testdata/errors/allow_syntax.yaml:3: found character that cannot start any token`},
		{name: "allow_unknown_field", dir: valid, params: "conflicts_allow=testdata/errors/allow_unknown_field.yaml", want: `testdata/errors/allow_unknown_field.yaml:3:1: unknown field "deny"`},
		{name: "allow_unreadable", dir: valid, params: "conflicts_allow=testdata/errors/no-such-allow.yaml", want: `parameter conflicts_allow=testdata/errors/no-such-allow.yaml: no such file or directory`},
		{name: "unknown_parameter", dir: valid, params: "format=json,colour=blue", want: `unknown parameter "colour=blue"; known parameters: aggregate=NAME, capability_rules=FILE.yaml, conflicts=warn|error|off, conflicts_allow=FILE.yaml, emit=json|yaml|go, format=json|yaml, grpc_api_configuration=FILE.yaml, health_path=PATH, infrastructure=PKG, max_errors=N, module=PREFIX, paths=import|source_relative, rest_fallback=true|false, strict=true|false, M<file.proto>=<go/import/path>`},
		// A value of any size is quoted as an excerpt.
		{name: "unknown_parameter_long", dir: valid, params: "colour=" + strings.Repeat("blue", 100), want: `unknown parameter "colour=blueblueblueblueblueblueblueblueblueblueb…" (407 bytes); known parameters: aggregate=NAME, capability_rules=FILE.yaml, conflicts=warn|error|off, conflicts_allow=FILE.yaml, emit=json|yaml|go, format=json|yaml, grpc_api_configuration=FILE.yaml, health_path=PATH, infrastructure=PKG, max_errors=N, module=PREFIX, paths=import|source_relative, rest_fallback=true|false, strict=true|false, M<file.proto>=<go/import/path>`},
		{name: "go_package_leaves", dir: valid, params: "emit=go,Merrs/v1/errs.proto=../y;y", want: `output file "../y/errs.registration.go" (from errs/v1/errs.proto, parameter Merrs/v1/errs.proto=../y;y) leaves the output directory`},
		{name: "go_package_absolute", dir: valid, params: "emit=json,go,Merrs/v1/errs.proto=/abs/y;y", want: `output file "/abs/y/errs.registration.go" (from errs/v1/errs.proto, parameter Merrs/v1/errs.proto=/abs/y;y) is absolute; want a path relative to the output directory`},
		{name: "bad_format", dir: valid, params: "format=xml", want: `parameter format="xml": want json or yaml`},
		{name: "bad_emit", dir: valid, params: "emit=json,xml", want: `parameter emit="xml": want json, yaml or go`},
		{name: "emit_format_disagree", dir: valid, params: "emit=yaml,format=json", want: `parameters emit=yaml and format=json disagree`},
		{name: "bad_bool", dir: valid, params: "rest_fallback=maybe", want: `parameter rest_fallback="maybe": want true or false`},
		{name: "bad_conflicts", dir: valid, params: "conflicts=ignore", want: `parameter conflicts="ignore": want warn, error or off`},
		{name: "bad_paths", dir: valid, params: "paths=relative", want: `parameter paths="relative": want import or source_relative`},
		{name: "bad_aggregate", dir: valid, params: "aggregate=../up", want: `parameter aggregate="../up": want a relative file name such as "registry" or "api/registry"`},
		{name: "bad_health_path", dir: valid, params: "health_path=healthz", want: `parameter health_path="healthz": want an absolute URL path such as /healthz`},
		// Every conflict, located at the later route; conflicts between two
		// bindings of one RPC and between hosts are none.
		{name: "conflicts_error", dir: "testdata/cases/conflicts", params: "conflicts=error", want: `clash/v1/clash.proto:15:5: method clash.v1.Shelves.GetSpecialShelf: route GET /v1/shelves/special conflicts with method clash.v1.Shelves.GetShelf: GET /v1/shelves/{id} (clash/v1/clash.proto:12:5); conflicts=error
clash/v1/other.proto:10:5: method clash.v1.Other.Anything: route GET /v1/{rest=**} conflicts with method clash.v1.Shelves.GetShelf: GET /v1/shelves/{id} (clash/v1/clash.proto:12:5); conflicts=error
clash/v1/other.proto:10:5: method clash.v1.Other.Anything: route GET /v1/{rest=**} conflicts with method clash.v1.Shelves.GetSpecialShelf: GET /v1/shelves/special (clash/v1/clash.proto:15:5); conflicts=error
clash/v1/other.proto:14:5: method clash.v1.Other.SameAsGetShelf: route GET /v1/shelves/{name} conflicts with method clash.v1.Other.Anything: GET /v1/{rest=**} (clash/v1/other.proto:10:5); conflicts=error
clash/v1/other.proto:14:5: method clash.v1.Other.SameAsGetShelf: route GET /v1/shelves/{name} conflicts with method clash.v1.Shelves.GetShelf: GET /v1/shelves/{id} (clash/v1/clash.proto:12:5); conflicts=error
clash/v1/other.proto:14:5: method clash.v1.Other.SameAsGetShelf: route GET /v1/shelves/{name} conflicts with method clash.v1.Shelves.GetSpecialShelf: GET /v1/shelves/special (clash/v1/clash.proto:15:5); conflicts=error`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := caseRequest(t, tt.dir)
			if tt.params != "" {
				req.Parameter = proto.String(tt.params)
			}
			assertError(t, req, tt.want)
		})
	}
}

func assertError(t *testing.T, req *pluginpb.CodeGeneratorRequest, want string) {
	t.Helper()
	var warnings bytes.Buffer
	resp, err := Generate(req, &warnings)
	if err != nil {
		t.Fatalf("internal error: %v", err)
	}
	if got := resp.GetError(); got != want {
		t.Errorf("error:\n got: %s\nwant: %s", got, want)
	}
	if len(resp.GetFile()) != 0 {
		t.Errorf("an error response carries %d files, want none", len(resp.GetFile()))
	}
}

// TestMalformedRequest checks requests that protoc would never send but a
// broken or hostile caller might.
func TestMalformedRequest(t *testing.T) {
	t.Run("file_to_generate_missing", func(t *testing.T) {
		req := caseRequest(t, "testdata/errors/valid")
		req.FileToGenerate = append(req.FileToGenerate, "not/there.proto")
		assertError(t, req, `file_to_generate "not/there.proto" is not among the request's proto_file`)
	})
	t.Run("dependency_missing", func(t *testing.T) {
		req := caseRequest(t, "testdata/errors/valid")
		req.ProtoFile = req.ProtoFile[1:] // drop the first dependency
		resp, err := Generate(req, &bytes.Buffer{})
		if err != nil {
			t.Fatal(err)
		}
		if got := resp.GetError(); !strings.HasPrefix(got, "linking the request's files: ") || len(resp.GetFile()) != 0 {
			t.Errorf("got error %q and %d files, want a linking error and no files", got, len(resp.GetFile()))
		}
	})
	t.Run("empty", func(t *testing.T) {
		resp, err := Generate(&pluginpb.CodeGeneratorRequest{}, &bytes.Buffer{})
		if err != nil || resp.GetError() != "" || len(resp.GetFile()) != 0 {
			t.Errorf("empty request: got %v, error %q, %d files; want nothing at all", err, resp.GetError(), len(resp.GetFile()))
		}
	})
}

// FuzzGenerate feeds the plugin mutated requests: whatever the bytes, it
// must answer without panicking, and an error response carries no files.
func FuzzGenerate(f *testing.F) {
	for _, dir := range []string{"testdata/cases/bindings", "testdata/cases/apiconfig", "testdata/cases/editions", "testdata/errors/valid"} {
		data, err := proto.Marshal(caseRequest(f, dir))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, "")
		f.Add(data, "aggregate=all,format=yaml")
	}
	f.Fuzz(func(t *testing.T, data []byte, param string) {
		req := &pluginpb.CodeGeneratorRequest{}
		if err := proto.Unmarshal(data, req); err != nil {
			return
		}
		if param != "" {
			req.Parameter = proto.String(param)
		}
		resp, err := Generate(req, &bytes.Buffer{})
		if err != nil {
			return
		}
		if resp.Error != nil && len(resp.File) > 0 {
			t.Errorf("error %q with %d files", resp.GetError(), len(resp.GetFile()))
		}
	})
}

// TestErrorsOutputNames checks that no output file is written outside the
// output directory, whatever the request names its files and Go packages.
// protoc and buf refuse most such names before the plugin sees them; a
// request built by hand does not.
func TestErrorsOutputNames(t *testing.T) {
	const source = "errs/v1/errs.proto"
	// request is the valid case with the file to generate renamed to name
	// and given goPackage.
	request := func(t *testing.T, name, goPackage, params string) *pluginpb.CodeGeneratorRequest {
		req := caseRequest(t, "testdata/errors/valid")
		req.Parameter = proto.String(params)
		for _, f := range req.GetProtoFile() {
			if f.GetName() != source {
				continue
			}
			f.Name = proto.String(name)
			if goPackage != "" {
				if f.Options == nil {
					f.Options = &descriptorpb.FileOptions{}
				}
				f.Options.GoPackage = proto.String(goPackage)
			}
		}
		req.FileToGenerate = []string{name}
		return req
	}
	tests := []struct {
		name                   string
		file, goPackage, param string
		want                   string
	}{
		{name: "go_package_leaves", file: source, goPackage: "example.com/../../y;y", param: "emit=go",
			want: `output file "../y/errs.registration.go" (from errs/v1/errs.proto, go_package "example.com/../../y;y") leaves the output directory`},
		{name: "go_package_backslash", file: source, goPackage: `example.com\y;y`, param: "emit=go",
			want: `output file "example.com\\y/errs.registration.go" (from errs/v1/errs.proto, go_package "example.com\\y;y") contains a backslash, a path separator on Windows; want "/" between directories`},
		{name: "go_module_leaves", file: source, goPackage: "../../y;y", param: "emit=go,module=..",
			want: `output file "../y/errs.registration.go" (from errs/v1/errs.proto, go_package "../../y;y") leaves the output directory`},
		{name: "go_source_relative_leaves", file: "../errs.proto", goPackage: "example.com/y;y", param: "emit=go,paths=source_relative",
			want: `output file "../errs.registration.go" (from ../errs.proto, paths=source_relative) leaves the output directory`},
		{name: "registration_leaves", file: "../errs.proto", param: "emit=json",
			want: `output file "../errs.registration.json" (from ../errs.proto) leaves the output directory`},
		{name: "registration_absolute", file: "/abs/errs.proto", param: "emit=yaml",
			want: `output file "/abs/errs.registration.yaml" (from /abs/errs.proto) is absolute; want a path relative to the output directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assertError(t, request(t, tt.file, tt.goPackage, tt.param), tt.want)
		})
	}
}

// TestErrorsConfigFiles checks that files named by parameters are read only
// when they are regular files: a FIFO would block the plugin for ever and
// /dev/zero would never end.
func TestErrorsConfigFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "rules.yaml")
	if err := makeFIFO(fifo); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	large := filepath.Join(dir, "large.yaml")
	if err := os.WriteFile(large, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	// A sparse file: no disk is used.
	if err := os.Truncate(large, maxConfigFileSize+1); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		params string
		want   string
	}{
		{name: "rules_fifo", params: "capability_rules=" + fifo, want: "parameter capability_rules=" + fifo + ": not a regular file but a named pipe"},
		{name: "config_fifo", params: "grpc_api_configuration=" + fifo, want: "parameter grpc_api_configuration=" + fifo + ": not a regular file but a named pipe"},
		{name: "allow_fifo", params: "conflicts_allow=" + fifo, want: "parameter conflicts_allow=" + fifo + ": not a regular file but a named pipe"},
		{name: "rules_dev_zero", params: "capability_rules=/dev/zero", want: "parameter capability_rules=/dev/zero: not a regular file but a character device"},
		{name: "config_dev_zero", params: "grpc_api_configuration=/dev/zero", want: "parameter grpc_api_configuration=/dev/zero: not a regular file but a character device"},
		{name: "allow_directory", params: "conflicts_allow=" + dir, want: "parameter conflicts_allow=" + dir + ": not a regular file but a directory"},
		{name: "rules_too_large", params: "capability_rules=" + large, want: "parameter capability_rules=" + large + ": 16777217 bytes, more than the 16 MiB a configuration file may have"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if strings.Contains(tt.params, "/dev/zero") {
				if _, err := os.Stat("/dev/zero"); err != nil {
					t.Skip("no /dev/zero")
				}
			}
			req := caseRequest(t, "testdata/errors/valid")
			req.Parameter = proto.String(tt.params)
			assertError(t, req, tt.want)
		})
	}
}
