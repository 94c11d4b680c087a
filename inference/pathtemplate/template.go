package pathtemplate

import (
	"fmt"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
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
	// Deviations are the template's departures from google/api/http.proto's
	// grammar that Parse accepts because production gateways do, in order
	// of offset; nil when the template follows the grammar.
	Deviations []Deviation
}

// Deviation is a departure from google/api/http.proto's grammar that
// production gateways accept.
type Deviation struct {
	// Rule is the deviation's stable identifier, such as
	// RuleDeepWildcardNotLast.
	Rule string
	// Offset is the byte offset in the template of the offending segment.
	Offset int
	// Msg describes the deviation.
	Msg string
}

// RuleDeepWildcardNotLast is the Rule of a Deviation for a "**" segment
// that is followed by more segments, as in
// "/v1/{parent=projects/*/databases/*/documents/**}/{collection_id}".
// http.proto allows "**" only as the last segment; grpc-gateway and Google's
// path-template libraries accept it anywhere, once per template.
const RuleDeepWildcardNotLast = "HTTP_DEEP_WILDCARD_NOT_LAST"

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
// `path template "<template>": offset <offset>: <msg>`. A template longer
// than maxQuotedTemplate bytes is quoted only around the offset, with "…"
// marking the ends that were cut, so that the message stays short whatever
// the input.
func (e *Error) Error() string {
	return fmt.Sprintf("path template %q: offset %d: %s", around(e.Template, e.Offset), e.Offset, e.Msg)
}

const (
	// maxQuotedTemplate is the length up to which Error quotes a template
	// whole: real templates are shorter, so their errors show all of it.
	maxQuotedTemplate = 80
	// excerptBefore and excerptAfter are how many bytes of a longer
	// template Error quotes before and from the offset: enough to
	// recognise the place, a line of text in all.
	excerptBefore, excerptAfter = 24, 40
	// maxQuotedFieldPath is the length up to which an error message
	// quotes a field path whole.
	maxQuotedFieldPath = 64
)

// around returns template, or the part of it around offset off when it is
// longer than maxQuotedTemplate bytes, with "…" where it was cut. Cuts fall
// on UTF-8 rune boundaries.
func around(template string, off int) string {
	if len(template) <= maxQuotedTemplate {
		return template
	}
	off = min(max(off, 0), len(template))
	// Keep the window's size near either end of the template.
	start := max(0, min(off-excerptBefore, len(template)-excerptBefore-excerptAfter))
	end := min(len(template), start+excerptBefore+excerptAfter)
	start = len(excerpt.RuneStart(template, start))
	end = len(excerpt.RuneStart(template, end))
	s := template[start:end]
	if start > 0 {
		s = "…" + s
	}
	if end < len(template) {
		s += "…"
	}
	return s
}

// String returns the canonical text of the template: a variable whose
// pattern is "*" is written as "{name}", any other as "{a.b=pattern}".
// For a template returned by Parse, Parse(t.String()) returns an equal
// Template, except that the Offsets of its Deviations are where the same
// segments are in the canonical text.
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
