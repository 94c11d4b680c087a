package pathtemplate

import (
	"fmt"
	"strings"
)

// Template is a parsed path template.
type Template struct {
	// Segments are the path's segments, with each variable's pattern
	// expanded in place.
	Segments []Segment
	// Variables are the template's variables in order of appearance.
	Variables []Variable
	// Verb is the verb suffix without ':', or "" if there is none.
	Verb string
}

// SegmentKind tells what a Segment matches.
type SegmentKind int

const (
	// Literal is a segment that matches its own text.
	Literal SegmentKind = iota
	// Wildcard is the segment "*", which matches exactly one path segment.
	Wildcard
	// DeepWildcard is the segment "**", which matches zero or more path
	// segments.
	DeepWildcard
)

// Segment is one segment of a path template.
type Segment struct {
	// Kind tells what the segment matches.
	Kind SegmentKind
	// Value is the literal text, as written in the template, of a Literal
	// segment; it is empty for the other kinds.
	Value string
}

// text returns the segment as it is written in a template.
func (s Segment) text() string {
	switch s.Kind {
	case Wildcard:
		return "*"
	case DeepWildcard:
		return "**"
	}
	return s.Value
}

// Variable is a variable of a path template, which binds the path segments
// its pattern matches to a field of the request message.
type Variable struct {
	// FieldPath is the dot-separated field path split into its names,
	// e.g. ["book", "name"].
	FieldPath []string
	// Pattern is the variable's pattern, e.g. "shelves/*/books/*", or "*"
	// when the template omits it.
	Pattern string
	// Start and End delimit the variable's segments: Segments[Start:End]
	// of the Template are the segments this variable covers.
	Start, End int
}

// FieldPathString joins a variable's field path with dots.
func (v Variable) FieldPathString() string {
	return strings.Join(v.FieldPath, ".")
}

// Error is the typed error every parse failure returns.
type Error struct {
	// Template is the template that failed to parse.
	Template string
	// Offset is the byte offset in Template of the problem.
	Offset int
	// Msg describes the problem.
	Msg string
}

// Error returns the error formatted as
// `path template "<template>": offset <offset>: <msg>`.
func (e *Error) Error() string {
	return fmt.Sprintf("path template %q: offset %d: %s", e.Template, e.Offset, e.Msg)
}

// String returns the canonical text of the template: a variable whose
// pattern is "*" is written as "{name}", any other as "{a.b=pattern}".
// For a template returned by Parse, Parse(t.String()) returns an equal
// Template.
func (t *Template) String() string {
	var b strings.Builder
	vars := t.Variables
	for i := 0; i < len(t.Segments); {
		b.WriteByte('/')
		if len(vars) > 0 && vars[0].Start == i && vars[0].End > i {
			v := vars[0]
			vars = vars[1:]
			b.WriteString("{" + v.FieldPathString())
			if v.Pattern != "*" {
				b.WriteString("=" + v.Pattern)
			}
			b.WriteByte('}')
			i = v.End
			continue
		}
		b.WriteString(t.Segments[i].text())
		i++
	}
	if len(t.Segments) == 0 {
		b.WriteByte('/')
	}
	if t.Verb != "" {
		b.WriteString(":" + t.Verb)
	}
	return b.String()
}
