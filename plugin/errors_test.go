package plugin

import (
	"bytes"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
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
		{name: "config_bad_template", dir: valid, params: "grpc_api_configuration=testdata/errors/config_bad_template.yaml", want: `testdata/errors/config_bad_template.yaml:3:7: http rule for method errs.v1.Broken.Fine: get: path template "/v1/{name=**}/x": offset 10: '**' must be the last segment`},
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
		{name: "rules_unreadable", dir: valid, params: "capability_rules=testdata/errors/no-such-rules.yaml", want: `capability_rules: open testdata/errors/no-such-rules.yaml: no such file or directory`},
		{name: "config_unreadable", dir: valid, params: "grpc_api_configuration=testdata/errors/no-such.yaml", want: `grpc_api_configuration: open testdata/errors/no-such.yaml: no such file or directory`},
		{name: "unknown_parameter", dir: valid, params: "format=json,colour=blue", want: `unknown parameter "colour=blue"; known parameters: aggregate=NAME, capability_rules=FILE.yaml, conflicts=warn|error, emit=json|yaml|go, format=json|yaml, grpc_api_configuration=FILE.yaml, health_path=PATH, module=PREFIX, paths=import|source_relative, rest_fallback=true|false, M<file.proto>=<go/import/path>`},
		{name: "bad_format", dir: valid, params: "format=xml", want: `parameter format="xml": want json or yaml`},
		{name: "bad_emit", dir: valid, params: "emit=json,xml", want: `parameter emit="xml": want json, yaml or go`},
		{name: "emit_format_disagree", dir: valid, params: "emit=yaml,format=json", want: `parameters emit=yaml and format=json disagree`},
		{name: "bad_bool", dir: valid, params: "rest_fallback=maybe", want: `parameter rest_fallback="maybe": want true or false`},
		{name: "bad_conflicts", dir: valid, params: "conflicts=ignore", want: `parameter conflicts="ignore": want warn or error`},
		{name: "bad_paths", dir: valid, params: "paths=relative", want: `parameter paths="relative": want import or source_relative`},
		{name: "bad_aggregate", dir: valid, params: "aggregate=../up", want: `parameter aggregate="../up": want a relative file name such as "registry" or "api/registry"`},
		{name: "bad_health_path", dir: valid, params: "health_path=healthz", want: `parameter health_path="healthz": want an absolute URL path such as /healthz`},
		{name: "conflicts_error", dir: "testdata/cases/conflicts", params: "conflicts=error", want: `clash/v1/clash.proto:15:5: method clash.v1.Shelves.GetSpecialShelf: route GET /v1/shelves/special conflicts with method clash.v1.Shelves.GetShelf: GET /v1/shelves/{id} (conflicts=error)`},
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
