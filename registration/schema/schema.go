// Package schema holds the JSON Schema of the registration.v2 format and
// validates documents against it. It is separate from package registration
// so that the plugin, which only writes registrations, does not link a
// schema validator; the runtime registry's Bootstrap uses it to vet
// override files.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

// JSON is the JSON Schema (draft 2020-12) of the registration.v2 format.
//
//go:embed schema.json
var JSON []byte

const schemaURL = "https://github.com/ovasabi/protoc-gen-registration/registration/schema.json"

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(JSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(schemaURL)
})

// Validate checks a registration document, JSON or YAML, against the schema.
// The error names the offending location as a JSON pointer.
func Validate(data []byte) error {
	s, err := compiled()
	if err != nil {
		return fmt.Errorf("compiling the registration schema: %v", err)
	}
	var doc any
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		doc, err = jsonschema.UnmarshalJSON(bytes.NewReader(data))
	} else {
		doc, err = yamlToJSONValue(data)
	}
	if err != nil {
		return err
	}
	return s.Validate(doc)
}

// yamlToJSONValue decodes YAML into the plain values the validator expects,
// by way of JSON so that numbers take the validator's representation.
func yamlToJSONValue(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return jsonschema.UnmarshalJSON(bytes.NewReader(b))
}
