package plugin

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// TestRESTMessages checks what the registration says of the messages that
// travel over REST bindings: the request and the response or its
// response_body field's message, every message their fields hold, each
// once; no well-known type and nothing of a method with only the inferred
// binding; each field's number, JSON name (json_name wins), type,
// cardinality, oneof and field_behavior, located in the proto.
func TestRESTMessages(t *testing.T) {
	files := outputs(t, caseRequest(t, "testdata/cases/restcontract"))
	reg, err := load.Bytes("rc.registration.json", []byte(files["rc/v1/rc.registration.json"]))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	byName := map[string]*registration.Message{}
	for _, m := range reg.Messages {
		names = append(names, m.Name)
		byName[m.Name] = m
	}
	// ListThingsResponse is not described: its response_body, Thing, is
	// what travels. Secret is Internal's, and Timestamp is well known.
	want := []string{"rc.v1.Circle", "rc.v1.GetThingRequest", "rc.v1.ListThingsRequest", "rc.v1.Thing", "rc.v1.Thing.Part"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("described messages (-want +got):\n%s", diff)
	}
	thing := byName["rc.v1.Thing"]
	if thing == nil {
		t.Fatal("no rc.v1.Thing")
	}
	if thing.File != "rc/v1/rc.proto" || thing.Line != 39 || thing.Column != 1 {
		t.Errorf("Thing at %s:%d:%d, want rc/v1/rc.proto:39:1", thing.File, thing.Line, thing.Column)
	}
	wantFields := []*registration.Field{
		{Name: "name", Number: 1, JSONName: "name", Type: "string", Line: 40, Column: 3},
		{Name: "count", Number: 2, JSONName: "count", Type: "int32", Cardinality: registration.CardinalityOptional, Line: 41, Column: 3},
		{Name: "labels", Number: 3, JSONName: "labels", Type: "int64", MapKey: "string", Cardinality: registration.CardinalityMap, Line: 42, Column: 3},
		{Name: "parts", Number: 4, JSONName: "parts", Type: "message", TypeName: "rc.v1.Thing.Part", Cardinality: registration.CardinalityRepeated, Line: 43, Column: 3},
		{Name: "circle", Number: 5, JSONName: "circle", Type: "message", TypeName: "rc.v1.Circle", Oneof: "shape", Line: 45, Column: 5},
		{Name: "label", Number: 6, JSONName: "label", Type: "string", Oneof: "shape", Line: 46, Column: 5},
		{Name: "color", Number: 7, JSONName: "color", Type: "enum", TypeName: "rc.v1.Color", Line: 48, Column: 3},
		{Name: "create_time", Number: 8, JSONName: "createTime", Type: "message", TypeName: "google.protobuf.Timestamp", OutputOnly: true, Line: 49, Column: 3},
		{Name: "updates", Number: 9, JSONName: "httpBody", Type: "string", Line: 50, Column: 3},
	}
	if diff := cmp.Diff(wantFields, thing.Fields); diff != "" {
		t.Errorf("Thing's fields (-want +got):\n%s", diff)
	}
	if f := byName["rc.v1.GetThingRequest"].Fields[0]; !f.Required {
		t.Errorf("GetThingRequest.name is not required: %+v", f)
	}
	wantEnums := []*registration.Enum{{Name: "rc.v1.Color", File: "rc/v1/rc.proto", Line: 61, Column: 1, Values: []string{"COLOR_UNSPECIFIED", "RED", "GREEN"}}}
	if diff := cmp.Diff(wantEnums, reg.Enums); diff != "" {
		t.Errorf("enums (-want +got):\n%s", diff)
	}
}
