// Package load is the one reader of registration files that every binary
// uses: it decodes JSON or YAML strictly, checks the document against the
// registration.v2 JSON Schema and the rules the schema cannot state, and
// says where a document is wrong.
//
// A document is refused, with an *Error that names the file, the JSON
// pointer of the offending value and its line and column, when it
//
//   - is empty, or is not JSON or YAML (a syntax error);
//   - has data after the document (a second YAML document, or anything but
//     white space after the JSON value);
//   - names a field twice in one object (JSON takes the last one silently,
//     YAML refuses it: both are refused here), or uses YAML aliases, merge
//     keys or tags other than the plain types;
//   - breaks the schema: unknown fields, missing fields, wrong types, null
//     where a value is expected (a null service, method, binding,
//     capability, dependency or event), values outside an enumeration such
//     as "streaming": "sideways";
//   - lists a service twice (by name) or a method twice in a service;
//   - has a binding path that inference/pathtemplate.Parse refuses. What
//     the plugin accepts is accepted, such as "**" followed by more
//     segments (googleapis has it).
//
// It lives beside the model rather than in it so that programs that import
// only the model (generated registration code) do not link a JSON Schema
// validator.
package load

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Stdin is the file name that stands for standard input.
const Stdin = "-"

// stdinName is how errors name standard input.
const stdinName = "<stdin>"

// MaxSize is the largest registration file read, in bytes: far above any
// real registration (the aggregate of all of googleapis is a few tens of
// megabytes), and a bound on what a mistaken argument such as /dev/zero
// costs.
const MaxSize = 1 << 30

// File reads one registration file, JSON or YAML; Stdin reads standard
// input, which errors name "<stdin>". A document that Bytes refuses gives
// an *Error; a file that cannot be read gives the file system's error.
func File(name string) (*registration.Registration, error) { return Reader{}.File(name) }

// Reader reads registration documents. The zero Reader reads every part
// of a document; it is what File, Files, Bytes and Check use.
type Reader struct {
	// ServicesOnly leaves the document's messages and enums out: they are
	// checked to be well-formed JSON (or YAML) but not against the schema,
	// and the registration it returns has none. For readers that use the
	// services alone, such as registration-graph and registration-health:
	// most of the bytes of a large aggregate are messages (24 of the 36 MB
	// of googleapis'), and reading them strictly is most of its cost.
	ServicesOnly bool
}

// skipped returns the top-level fields the reader leaves out.
func (r Reader) skipped() []string {
	if r.ServicesOnly {
		return []string{"messages", "enums"}
	}
	return nil
}

// File is File with r's settings.
func (r Reader) File(name string) (*registration.Registration, error) {
	display, data, err := Read(name)
	if err != nil {
		return nil, err
	}
	return r.Bytes(display, data)
}

// Read reads a registration file's bytes, or standard input's for Stdin,
// at most MaxSize of them, and returns the name messages give it ("<stdin>"
// for standard input), for callers that check the bytes with Check.
func Read(name string) (display string, data []byte, err error) {
	var r io.Reader
	display = name
	if name == Stdin {
		r, display = os.Stdin, stdinName
	} else {
		f, err := os.Open(name)
		if err != nil {
			return "", nil, err
		}
		defer f.Close()
		r = f
	}
	// A file's size is known: reading into a buffer of that size (plus one
	// byte, to see the end) copies a large aggregate once, where
	// io.ReadAll's doubling buffer copies and clears it several times.
	var buf bytes.Buffer
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() <= MaxSize {
			buf.Grow(int(fi.Size()) + bytes.MinRead)
		}
	}
	_, err = buf.ReadFrom(io.LimitReader(r, MaxSize+1))
	data = buf.Bytes()
	if err != nil {
		return "", nil, fmt.Errorf("read %s: %w", display, err)
	}
	if len(data) > MaxSize {
		return "", nil, &Error{File: display, Msg: fmt.Sprintf("larger than %d MiB", MaxSize>>20)}
	}
	return display, data, nil
}

// Bytes decodes a registration read from name, JSON (when its first
// non-blank byte is '{') or YAML. When the document is refused (see the
// package documentation), the error is an *Error for the first problem in
// the document.
func Bytes(name string, data []byte) (*registration.Registration, error) {
	return Reader{}.Bytes(name, data)
}

// Bytes is Bytes with r's settings.
func (r Reader) Bytes(name string, data []byte) (*registration.Registration, error) {
	reg, errs := r.Check(name, data)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	return reg, nil
}

// Check decodes data as Bytes does and returns every problem found, in
// document order, instead of the first. A syntax error stops decoding, so
// it comes alone; the rules beyond the schema (duplicates, path templates)
// are checked only on a document the schema accepts. The registration is
// nil when there is a problem.
func Check(name string, data []byte) (*registration.Registration, []*Error) {
	return Reader{}.Check(name, data)
}

// Check is Check with r's settings.
func (r Reader) Check(name string, data []byte) (*registration.Registration, []*Error) {
	d, err := parse(name, data, r.skipped())
	if err != nil {
		return nil, []*Error{err}
	}
	if problems := d.schemaProblems(); len(problems) > 0 {
		return nil, d.locate(problems)
	}
	reg, problems := d.decode()
	if len(problems) > 0 {
		return nil, d.locate(problems)
	}
	if problems := rules(reg); len(problems) > 0 {
		return nil, d.locate(problems)
	}
	return reg, nil
}

// Set is what several registration files hold together: every service
// once, in the order first read, and every conflict once.
type Set struct {
	Services  []*registration.Service
	ByName    map[string]*registration.Service
	Conflicts []*registration.Conflict
	// Messages and Enums are the descriptions of every file, each once
	// (the first read of a name wins: per-file output describes a message
	// in every file whose services use it), sorted by full name.
	Messages []*registration.Message
	Enums    []*registration.Enum
}

// Registration returns the set as one registration document, as an
// aggregate file holds it (without its list of files).
func (s *Set) Registration() *registration.Registration {
	return &registration.Registration{
		Format:    registration.Format,
		Services:  s.Services,
		Conflicts: s.Conflicts,
		Messages:  s.Messages,
		Enums:     s.Enums,
	}
}

// Files reads registration files, per file or aggregate, and merges them: a
// service listed in several files (per-file and aggregate output given
// together) keeps its first entry. Stdin may be named once.
func Files(names []string) (*Set, error) { return Reader{}.Files(names) }

// Files is Files with r's settings.
func (r Reader) Files(names []string) (*Set, error) {
	if i := slices.Index(names, Stdin); i >= 0 && slices.Contains(names[i+1:], Stdin) {
		return nil, errors.New(`standard input ("-") named twice`)
	}
	regs := make([]*registration.Registration, 0, len(names))
	for _, name := range names {
		reg, err := r.File(name)
		if err != nil {
			return nil, err
		}
		regs = append(regs, reg)
	}
	return Merge(regs...), nil
}

// Merge merges registrations read already, as Files does: every service
// once, the first entry winning, and every conflict once.
func Merge(regs ...*registration.Registration) *Set {
	s := &Set{ByName: make(map[string]*registration.Service)}
	seenConflicts := make(map[registration.Conflict]bool)
	messageAt, enumAt := make(map[string]int), make(map[string]int)
	for _, reg := range regs {
		for _, m := range reg.Messages {
			s.Messages = addType(s.Messages, messageAt, m, m.Name, m.Line)
		}
		for _, e := range reg.Enums {
			s.Enums = addType(s.Enums, enumAt, e, e.Name, e.Line)
		}
		for _, svc := range reg.Services {
			if s.ByName[svc.Name] != nil {
				continue
			}
			s.ByName[svc.Name] = svc
			s.Services = append(s.Services, svc)
		}
		for _, c := range reg.Conflicts {
			if !seenConflicts[*c] {
				seenConflicts[*c] = true
				s.Conflicts = append(s.Conflicts, c)
			}
		}
	}
	slices.SortFunc(s.Messages, func(a, b *registration.Message) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(s.Enums, func(a, b *registration.Enum) int { return strings.Compare(a.Name, b.Name) })
	return s
}

// addType adds the description t of the type name to list, whose indexes
// by name are at. Of several descriptions of one type, the one with a
// location wins: per-file output locates a type only in the file of the
// proto file that declares it, and describes it the same way elsewhere,
// so the set does not depend on the order of the files.
func addType[T any](list []T, at map[string]int, t T, name string, line int) []T {
	i, seen := at[name]
	switch {
	case !seen:
		at[name] = len(list)
		return append(list, t)
	case line > 0:
		list[i] = t
	}
	return list
}

// ErrNoService is what Find's error wraps when no service has the name.
var ErrNoService = errors.New("is not in the registrations")

// Find returns a service by full name or, when only one service has it, by
// short name (the part after the last dot). The error says which services
// an ambiguous name could mean.
func (s *Set) Find(name string) (*registration.Service, error) {
	if svc := s.ByName[name]; svc != nil {
		return svc, nil
	}
	var matches []*registration.Service
	for _, svc := range s.Services {
		if strings.HasSuffix(svc.Name, "."+name) {
			matches = append(matches, svc)
		}
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return nil, fmt.Errorf("service %q %w", name, ErrNoService)
	}
	names := make([]string, len(matches))
	for i, svc := range matches {
		names[i] = svc.Name
	}
	return nil, fmt.Errorf("service %q is ambiguous: %s", name, strings.Join(names, ", "))
}

// Error is a document that Bytes refuses: where, and what is wrong.
type Error struct {
	// File is the name the document was read under.
	File string
	// Pointer is the JSON pointer (RFC 6901) of the offending value, or of
	// the field for an unknown or duplicate field; "" for a problem of the
	// document as a whole or of its syntax.
	Pointer string
	// Line and Column locate the value, counting from 1; Column counts
	// characters. Both are 0 when the position is unknown (an empty file).
	Line, Column int
	// Msg says what is wrong.
	Msg string
}

// Error returns "FILE:LINE:COLUMN: at POINTER: MSG", leaving out what is
// unknown.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
		if e.Column > 0 {
			fmt.Fprintf(&b, ":%d", e.Column)
		}
	}
	b.WriteString(": ")
	if e.Pointer != "" {
		b.WriteString("at ")
		b.WriteString(displayPointer(e.Pointer))
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// displayPointer returns a pointer as an error message shows it: as it is,
// unless a field name in it would break the message's line or make it
// longer than any real pointer (a few dozen bytes).
func displayPointer(p string) string {
	if len(p) > 256 || strings.IndexFunc(p, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return excerpt.Quote(p)
	}
	return p
}

// isJSON reports whether a document is read as JSON: its first non-blank
// byte is '{', as codec.Unmarshal decides.
func isJSON(data []byte) bool {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	return len(trimmed) > 0 && trimmed[0] == '{'
}
