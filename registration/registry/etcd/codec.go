package etcd

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// marshalDocument encodes a stored registration document as the plugin
// encodes its JSON files.
func marshalDocument(r *registration.Registration) ([]byte, error) {
	return registration.AppendJSON(nil, r), nil
}

// unmarshalDocument decodes a stored registration document strictly, as
// registration files are read: unknown fields and another format are
// errors. name (the key) is used in messages.
func unmarshalDocument(name string, data []byte) (*registration.Registration, error) {
	var r registration.Registration
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if r.Format != registration.Format && r.Format != registration.FormatV1 {
		return nil, fmt.Errorf("%s: format is %q, want %q", name, r.Format, registration.Format)
	}
	return &r, nil
}
