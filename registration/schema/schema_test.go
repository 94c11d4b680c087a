package schema

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	const method = `{"name": "M", "full_name": "a.S.M", "input_type": "a.Req", "output_type": "a.Res", "streaming": "unary", "kind": "custom"}`
	doc := func(m string) string {
		return `{"format": "registration.v1", "files": ["a.proto"], "services": [{"name": "a.S", "package": "a", "file": "a.proto", "methods": [` + m + `]}]}`
	}
	tests := []struct {
		name, doc, wantErr string // wantErr: a part of the error, "" for valid
	}{
		{"valid json", doc(method), ""},
		{"valid yaml", "format: registration.v1\nfiles: []\nservices: []\n", ""},
		{"wrong version", `{"format": "registration.v3", "files": [], "services": []}`, "registration.v2"},
		{"unknown field", `{"format": "registration.v1", "files": [], "services": [], "extra": 1}`, "extra"},
		{"bad streaming", doc(strings.Replace(method, `"unary"`, `"sideways"`, 1)), "/services/0/methods/0/streaming"},
		{"missing kind", doc(strings.Replace(method, `, "kind": "custom"`, "", 1)), "kind"},
		{"binding without slash", doc(strings.Replace(method, `"kind": "custom"`, `"kind": "custom", "bindings": [{"method": "GET", "path": "v1", "source": "annotation"}]`, 1)), "/services/0/methods/0/bindings/0/path"},
		{"custom verb only when custom", doc(strings.Replace(method, `"kind": "custom"`, `"kind": "custom", "bindings": [{"method": "PURGE", "path": "/v1", "source": "annotation"}]`, 1)), "/services/0/methods/0/bindings/0"},
		{"not json or yaml", "{", "unexpected"},
	}
	for _, tt := range tests {
		err := Validate([]byte(tt.doc))
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: unexpected error: %v", tt.name, err)
		case tt.wantErr != "" && err == nil:
			t.Errorf("%s: valid, want an error mentioning %q", tt.name, tt.wantErr)
		case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
			t.Errorf("%s: error %q does not mention %q", tt.name, err, tt.wantErr)
		}
	}
}
