// Package codec encodes and decodes registration documents in JSON and
// YAML, the two encodings of the format.
//
// It is apart from package registration, the model, because generated code
// imports the model: a program that imports generated code links neither
// YAML nor anything else it needs only to read files. The model keeps the
// JSON encoder (registration.AppendJSON), which needs nothing beyond the
// standard library and which the runtime registry's handler uses. Strict
// reading with located errors and the JSON Schema is registration/load.
package codec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Encoding is a serialization of the format.
type Encoding string

// The encodings of the format.
const (
	JSON Encoding = "json"
	YAML Encoding = "yaml"
)

// Extension returns the file name extension for the encoding, with its dot.
func (e Encoding) Extension() string { return "." + string(e) }

// Marshal encodes r. Both encodings are deterministic: fields come in struct
// order and every list keeps the order of the model.
func Marshal(r *registration.Registration, e Encoding) ([]byte, error) {
	return Append(nil, r, e)
}

// Append is Marshal appending to dst, so that a caller encoding many
// registrations can reuse one buffer.
func Append(dst []byte, r *registration.Registration, e Encoding) ([]byte, error) {
	var buf bytes.Buffer
	switch e {
	case JSON:
		// Like encoding/json with SetEscapeHTML(false), so that path
		// templates and comments stay readable, and SetIndent("", "  ").
		return registration.AppendJSON(dst, r), nil
	case YAML:
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
		if err := enc.Close(); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("unknown encoding %q", e)
	}
	return append(dst, buf.Bytes()...), nil
}

// Unmarshal decodes a registration in either encoding. JSON is recognised by
// its first non-blank byte; anything else is read as YAML. Unknown fields and
// a format other than registration.Format or registration.FormatV1 are errors. name is used in error messages.
func Unmarshal(name string, data []byte) (*registration.Registration, error) {
	var r registration.Registration
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	} else {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&r); err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	}
	if r.Format != registration.Format && r.Format != registration.FormatV1 {
		return nil, fmt.Errorf("%s: format is %q, want %q or %q", name, r.Format, registration.Format, registration.FormatV1)
	}
	return &r, nil
}

// EncodingOf returns the encoding a file name's extension asks for, JSON for
// anything but .yaml and .yml.
func EncodingOf(name string) Encoding {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml":
		return YAML
	}
	return JSON
}
