package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// readServices reads registration files, JSON or YAML, per file or
// aggregate, and returns their services in file order, each once: a service
// listed in several files (per-file and aggregate output given together)
// keeps its first entry.
func readServices(files []string) ([]*registration.Service, error) {
	seen := make(map[string]bool)
	var out []*registration.Service
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		reg, err := decode(name, data)
		if err != nil {
			return nil, err
		}
		for _, s := range reg.Services {
			if s != nil && !seen[s.Name] {
				seen[s.Name] = true
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// decode decodes a registration. When it does not decode, the error says
// where: the JSON pointer of the offending value as the schema sees it, or
// the line and column of a JSON syntax error. The schema is only consulted
// on failure, so that large files load fast.
func decode(name string, data []byte) (*registration.Registration, error) {
	reg, err := registration.Unmarshal(name, data)
	if err == nil {
		return reg, nil
	}
	if serr := jsonSyntaxError(data); serr != nil {
		return nil, fmt.Errorf("%s: %v", name, serr)
	}
	verr := schema.Validate(data)
	var ve *jsonschema.ValidationError
	if !errors.As(verr, &ve) {
		return nil, err
	}
	for len(ve.Causes) > 0 {
		ve = ve.Causes[0]
	}
	u := ve.BasicOutput()
	return nil, fmt.Errorf("%s: at '%s': %s", name, u.InstanceLocation, u.Error)
}

// jsonSyntaxError reports JSON that does not parse, with its line and
// column; YAML errors carry their line already.
func jsonSyntaxError(data []byte) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return errors.New("empty file")
	}
	if trimmed[0] != '{' {
		return nil
	}
	var v any
	err := json.Unmarshal(data, &v)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		line, col := lineCol(data, se.Offset-1) // Offset is just past the bad byte
		return fmt.Errorf("line %d, column %d: %v", line, col, err)
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineCol(data, int64(len(data)))
		return fmt.Errorf("line %d, column %d: unexpected end of file", line, col)
	}
	return nil
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, offset int64) (int, int) {
	offset = min(offset, int64(len(data)))
	before := data[:offset]
	return bytes.Count(before, []byte("\n")) + 1, int(offset) - bytes.LastIndexByte(before, '\n')
}
