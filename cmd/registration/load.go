package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// loaded is what a command reads from its registration files: every
// service once and every conflict once.
type loaded struct {
	services  []*registration.Service
	byName    map[string]*registration.Service
	conflicts []*registration.Conflict
}

// readRegistrations reads registration files, JSON or YAML, per file or
// aggregate, and merges them: a service listed in several files (per-file
// and aggregate output given together) keeps its first entry.
func readRegistrations(files []string) (*loaded, error) {
	l := &loaded{byName: make(map[string]*registration.Service)}
	seenConflicts := make(map[registration.Conflict]bool)
	for _, name := range files {
		reg, err := readRegistration(name)
		if err != nil {
			return nil, err
		}
		for _, s := range reg.Services {
			if s == nil || l.byName[s.Name] != nil {
				continue
			}
			l.byName[s.Name] = s
			l.services = append(l.services, s)
		}
		for _, c := range reg.Conflicts {
			if c != nil && !seenConflicts[*c] {
				seenConflicts[*c] = true
				l.conflicts = append(l.conflicts, c)
			}
		}
	}
	return l, nil
}

// readRegistration reads one registration file.
func readRegistration(name string) (*registration.Registration, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return decodeRegistration(name, data)
}

// decodeRegistration decodes a registration. When it does not decode, the
// error says where: the JSON pointer of the offending value, as the schema
// sees it, or the line and column of a syntax error.
func decodeRegistration(name string, data []byte) (*registration.Registration, error) {
	reg, err := registration.Unmarshal(name, data)
	if err == nil {
		return reg, nil
	}
	// Decoding is fast and says little; the schema and the syntax check say
	// where the problem is, and are only run when there is one.
	if problems, serr := schemaProblems(data); serr == nil && len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s", name, problems[0])
	} else if serr != nil {
		return nil, fmt.Errorf("%s: %v", name, serr)
	}
	return nil, err
}

// schemaProblem is one place where a document breaks the schema.
type schemaProblem struct {
	// Location is the JSON pointer of the offending value, "" for the
	// document itself.
	Location string `json:"location" yaml:"location"`
	Message  string `json:"message" yaml:"message"`
}

func (p schemaProblem) String() string {
	return fmt.Sprintf("at '%s': %s", p.Location, p.Message)
}

// schemaProblems validates data against the registration.v1 schema and
// returns every violation, in the validator's order. The error is for a
// document that does not parse at all.
func schemaProblems(data []byte) ([]schemaProblem, error) {
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
	var problems []schemaProblem
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			u := e.BasicOutput()
			p := schemaProblem{Location: u.InstanceLocation}
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

// findService finds a service by full name or, when it is unique, by short
// name.
func (l *loaded) findService(name string) (*registration.Service, error) {
	if s := l.byName[name]; s != nil {
		return s, nil
	}
	var matches []*registration.Service
	for _, s := range l.services {
		if strings.HasSuffix(s.Name, "."+name) || s.Name == name {
			matches = append(matches, s)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, fmt.Errorf("service %q is not in the registrations (run \"registration services\" to list them)", name)
	}
	names := make([]string, len(matches))
	for i, s := range matches {
		names[i] = s.Name
	}
	return nil, fmt.Errorf("service %q is ambiguous: %s", name, strings.Join(names, ", "))
}
