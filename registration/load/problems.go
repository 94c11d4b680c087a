package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// Problem is one place where a document breaks the schema, as the
// validate command has reported it so far. Check supersedes Problem and
// Problems: it returns every problem located, with the messages every
// reader gives, and the rules beyond the schema.
type Problem struct {
	// Location is the JSON pointer of the offending value, "" for the
	// document itself.
	Location string `json:"location" yaml:"location"`
	Message  string `json:"message" yaml:"message"`
}

func (p Problem) String() string {
	return fmt.Sprintf("at '%s': %s", p.Location, p.Message)
}

// Problems validates data against the registration.v1 schema and returns
// every violation, in the validator's order. The error is for a document
// that does not parse at all.
func Problems(data []byte) ([]Problem, error) {
	if err := syntaxError(data); err != nil {
		return nil, err
	}
	err := schema.Validate(data)
	if err == nil {
		return nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, err
	}
	var problems []Problem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			u := e.BasicOutput()
			p := Problem{Location: u.InstanceLocation}
			if u.Error != nil {
				p.Message = u.Error.String()
			}
			problems = append(problems, p)
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return problems, nil
}

// syntaxError reports a document that is not JSON or YAML, with the line
// and column for JSON (YAML's parser gives the line itself).
func syntaxError(data []byte) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 {
		return errors.New("empty file")
	}
	if trimmed[0] != '{' {
		return nil // YAML: schema.Validate reports its errors with lines
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var v any
	err := dec.Decode(&v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			line, col := byteLineCol(data, dec.InputOffset())
			return fmt.Errorf("line %d, column %d: data after the end of the document", line, col)
		}
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := byteLineCol(data, se.Offset-1) // Offset is just past the bad byte
		return fmt.Errorf("line %d, column %d: %v", line, col, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := byteLineCol(data, int64(len(data)))
		return fmt.Errorf("line %d, column %d: unexpected end of file", line, col)
	}
	return err
}

// byteLineCol turns a byte offset into a 1-based line and byte column, as
// Problems always reported them.
func byteLineCol(data []byte, offset int64) (int, int) {
	offset = min(offset, int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}
