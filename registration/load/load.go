// Package load is the one reader of registration files that every binary
// uses: it decodes JSON or YAML strictly, checks the document against the
// registration.v1 JSON Schema, and says where a document is wrong.
//
// It lives beside the model rather than in it so that programs that import
// only the model (generated registration code) do not link a JSON Schema
// validator.
package load

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

// Stdin is the file name that stands for standard input.
const Stdin = "-"

// File reads one registration file, JSON or YAML; Stdin reads standard
// input.
func File(name string) (*registration.Registration, error) {
	var data []byte
	var err error
	if name == Stdin {
		data, err = io.ReadAll(os.Stdin)
	} else {
		data, err = os.ReadFile(name)
	}
	if err != nil {
		return nil, err
	}
	return Bytes(name, data)
}

// Set is what several registration files hold together: every service
// once, in the order first read, and every conflict once.
type Set struct {
	Services  []*registration.Service
	ByName    map[string]*registration.Service
	Conflicts []*registration.Conflict
}

// Files reads registration files, per file or aggregate, and merges them: a
// service listed in several files (per-file and aggregate output given
// together) keeps its first entry.
func Files(names []string) (*Set, error) {
	s := &Set{ByName: make(map[string]*registration.Service)}
	seenConflicts := make(map[registration.Conflict]bool)
	for _, name := range names {
		reg, err := File(name)
		if err != nil {
			return nil, err
		}
		for _, svc := range reg.Services {
			if svc == nil || s.ByName[svc.Name] != nil {
				continue
			}
			s.ByName[svc.Name] = svc
			s.Services = append(s.Services, svc)
		}
		for _, c := range reg.Conflicts {
			if c != nil && !seenConflicts[*c] {
				seenConflicts[*c] = true
				s.Conflicts = append(s.Conflicts, c)
			}
		}
	}
	return s, nil
}

// Bytes decodes a registration read from name, JSON or YAML. When it does not decode, the
// error says where: the JSON pointer of the offending value, as the schema
// sees it, or the line and column of a syntax error.
func Bytes(name string, data []byte) (*registration.Registration, error) {
	reg, err := registration.Unmarshal(name, data)
	if err == nil {
		return reg, nil
	}
	// Decoding is fast and says little; the schema and the syntax check say
	// where the problem is, and are only run when there is one.
	if problems, serr := Problems(data); serr == nil && len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s", name, problems[0])
	} else if serr != nil {
		return nil, fmt.Errorf("%s: %v", name, serr)
	}
	return nil, err
}

// Problem is one place where a document breaks the schema.
type Problem struct {
	// Location is the JSON pointer of the offending value, "" for the
	// document itself.
	Location string `json:"location" yaml:"location"`
	Message  string `json:"message" yaml:"message"`
}

func (p Problem) String() string {
	return fmt.Sprintf("at '%s': %s", p.Location, p.Message)
}

// Problems validates data against the registration.v1 schema and
// returns every violation, in the validator's order. The error is for a
// document that does not parse at all.
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
			line, col := lineCol(data, dec.InputOffset())
			return fmt.Errorf("line %d, column %d: data after the end of the document", line, col)
		}
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, se.Offset-1) // Offset is just past the bad byte
		return fmt.Errorf("line %d, column %d: %v", line, col, err)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := lineCol(data, int64(len(data)))
		return fmt.Errorf("line %d, column %d: unexpected end of file", line, col)
	}
	return err
}

// lineCol turns a byte offset into a 1-based line and column.
func lineCol(data []byte, offset int64) (int, int) {
	offset = min(offset, int64(len(data)))
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(offset) - bytes.LastIndexByte(before, '\n')
	return line, col
}

