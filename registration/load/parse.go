package load

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
)

// document is a parsed registration document: its plain value, as the
// schema validator takes it (maps, slices, strings, json.Number, bools and
// nils), and what is needed to say where a value is.
type document struct {
	name  string
	data  []byte
	value any
	// yaml is the document's root value when it is YAML, nil for JSON.
	yaml *yaml.Node
}

// problem is a problem found before its position is known: the JSON
// pointer of the value, as tokens; whether it is about the field name at
// the pointer rather than its value; and the message.
type problem struct {
	path []string
	key  bool
	msg  string
}

// pointerEscaper escapes a token of a JSON pointer.
var pointerEscaper = strings.NewReplacer("~", "~0", "/", "~1")

// pointer returns the JSON pointer (RFC 6901) of path.
func pointer(path []string) string {
	var b strings.Builder
	for _, tok := range path {
		b.WriteByte('/')
		if strings.ContainsAny(tok, "~/") {
			tok = pointerEscaper.Replace(tok)
		}
		b.WriteString(tok)
	}
	return b.String()
}

// parse reads a document, JSON or YAML, into its plain value, leaving out
// the top-level fields named in skip. The errors are syntax errors, data
// after the document, duplicate fields and YAML constructs the format does
// not use.
func parse(name string, data []byte, skip []string) (*document, *Error) {
	if len(bytes.TrimLeft(data, " \t\r\n")) == 0 {
		return nil, &Error{File: name, Msg: "empty file"}
	}
	if isJSON(data) {
		return parseJSON(name, data, skip)
	}
	d, err := parseYAML(name, data)
	if err == nil {
		// A YAML document is converted whole: YAML aggregates are rare,
		// and yaml.v3 has no way to step over a value unread.
		if root, ok := d.value.(map[string]any); ok {
			for _, k := range skip {
				delete(root, k)
			}
		}
	}
	return d, err
}

// locate turns problems into Errors with their positions, sorted by
// position.
func (d *document) locate(problems []problem) []*Error {
	var positions [][2]int
	if d.yaml != nil {
		for _, p := range problems {
			positions = append(positions, yamlPosition(d.yaml, p.path, p.key))
		}
	} else {
		positions = jsonPositions(d.data, problems)
	}
	errs := make([]*Error, len(problems))
	for i, p := range problems {
		errs[i] = &Error{File: d.name, Pointer: pointer(p.path), Line: positions[i][0], Column: positions[i][1], Msg: p.msg}
	}
	slices.SortStableFunc(errs, func(a, b *Error) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		if a.Column != b.Column {
			return a.Column - b.Column
		}
		return strings.Compare(a.Pointer, b.Pointer)
	})
	return slices.CompactFunc(errs, func(a, b *Error) bool { return *a == *b })
}

// lineCol turns a byte offset into a line and a column in characters, both
// counting from 1.
func lineCol(data []byte, offset int64) (int, int) {
	offset = max(0, min(offset, int64(len(data))))
	before := data[:offset]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte("\n")) + 1, utf8.RuneCount(before[lineStart:]) + 1
}

// isSpace reports JSON's white space.
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// parseJSON parses a JSON document with jsonParser; where it finds the
// syntax wrong, encoding/json says what and where.
func parseJSON(name string, data []byte, skip []string) (*document, *Error) {
	p := &jsonParser{data: data, file: name, skip: skip}
	v, ok := p.value()
	if ok {
		p.skipSpace()
		ok = p.pos == len(data)
	}
	if !ok {
		return nil, jsonSyntaxError(name, data)
	}
	if p.dup != nil {
		return nil, p.dup
	}
	return &document{name: name, data: data, value: v}, nil
}

// jsonSyntaxError locates what jsonParser refused: a syntax error, an
// early end, or data after the document.
func jsonSyntaxError(name string, data []byte) *Error {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw json.RawMessage
	e := &Error{File: name}
	if err := dec.Decode(&raw); err != nil {
		e.Msg = err.Error()
		var se *json.SyntaxError
		switch {
		case errors.As(err, &se):
			e.Line, e.Column = lineCol(data, se.Offset-1) // Offset is just past the bad byte
		case errors.Is(err, io.ErrUnexpectedEOF):
			e.Line, e.Column = lineCol(data, int64(len(data)))
			e.Msg = "unexpected end of file"
		}
		return e
	}
	rest := dec.InputOffset()
	for rest < int64(len(data)) && isSpace(data[rest]) {
		rest++
	}
	e.Line, e.Column = lineCol(data, rest)
	e.Msg = "data after the end of the document"
	return e
}

// maxDepth is how deeply arrays and objects may nest, as in encoding/json.
const maxDepth = 10000

// jsonParser builds the plain value of a JSON document, noting where each
// value starts and finding duplicate fields, which encoding/json lets the
// last one win. It accepts exactly what encoding/json accepts
// (FuzzJSONParser holds it to json.Valid and json.Unmarshal), and it
// builds strings with escapes or non-ASCII bytes with encoding/json
// itself, so that they are the strings encoding/json would give.
// Hand-written because encoding/json's token reader, which could do the
// same, took 0.58 s on the 12.8 MB aggregate registration of googleapis,
// more than decoding the model, and this takes a fifth of that.
type jsonParser struct {
	data  []byte
	pos   int
	depth int
	// path holds the tokens of the value being read.
	path []string
	// visit, when set, is called with the offset of every value and of
	// every field name, with key set for the latter.
	visit func(path []string, key bool, offset int)
	// file names the document in errors; dup is its first duplicate field.
	file string
	dup  *Error
	// skip names the fields of the top-level object that are stepped
	// over, not built; skipped records the ones met, for duplicates.
	skip    []string
	skipped map[string]bool
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) && isSpace(p.data[p.pos]) {
		p.pos++
	}
}

// peek returns the next byte, 0 at the end.
func (p *jsonParser) peek() byte {
	if p.pos < len(p.data) {
		return p.data[p.pos]
	}
	return 0
}

// value reads one value, and reports false at a syntax error.
func (p *jsonParser) value() (any, bool) {
	p.skipSpace()
	start := p.pos
	if p.visit != nil {
		p.visit(p.path, false, start)
	}
	switch c := p.peek(); {
	case c == '{':
		if p.depth++; p.depth > maxDepth {
			return nil, false
		}
		p.pos++
		m := make(map[string]any)
		if p.skipSpace(); p.peek() == '}' {
			p.pos++
			p.depth--
			return m, true
		}
		for {
			p.skipSpace()
			keyStart := p.pos
			if p.peek() != '"' {
				return nil, false
			}
			key, ok := p.string()
			if !ok {
				return nil, false
			}
			p.path = append(p.path, key)
			_, dup := m[key]
			if p.depth == 1 && slices.Contains(p.skip, key) {
				dup = p.skipped[key]
				if p.skipped == nil {
					p.skipped = make(map[string]bool)
				}
				p.skipped[key] = true
			}
			if dup && p.dup == nil {
				line, col := lineCol(p.data, int64(keyStart))
				p.dup = &Error{File: p.file, Pointer: pointer(p.path), Line: line, Column: col, Msg: "duplicate field " + excerpt.Quote(key)}
			}
			if p.visit != nil {
				p.visit(p.path, true, keyStart)
			}
			if p.skipSpace(); p.peek() != ':' {
				return nil, false
			}
			p.pos++
			if p.depth == 1 && p.skipped[key] {
				if !p.skipValue() {
					return nil, false
				}
			} else {
				v, ok := p.value()
				if !ok {
					return nil, false
				}
				m[key] = v
			}
			p.path = p.path[:len(p.path)-1]
			p.skipSpace()
			switch p.peek() {
			case ',':
				p.pos++
			case '}':
				p.pos++
				p.depth--
				return m, true
			default:
				return nil, false
			}
		}
	case c == '[':
		if p.depth++; p.depth > maxDepth {
			return nil, false
		}
		p.pos++
		a := []any{}
		if p.skipSpace(); p.peek() == ']' {
			p.pos++
			p.depth--
			return a, true
		}
		for i := 0; ; i++ {
			p.path = append(p.path, strconv.Itoa(i))
			v, ok := p.value()
			if !ok {
				return nil, false
			}
			a = append(a, v)
			p.path = p.path[:len(p.path)-1]
			p.skipSpace()
			switch p.peek() {
			case ',':
				p.pos++
			case ']':
				p.pos++
				p.depth--
				return a, true
			default:
				return nil, false
			}
		}
	case c == '"':
		return p.string()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	}
	return nil, false
}

// skipValue steps over one value without building it: it finds the
// value's end by its brackets and strings, then has json.Valid check the
// bytes, so that it accepts exactly what value does. It is a tenth of the
// cost of value on the messages of a large registration.
func (p *jsonParser) skipValue() bool {
	p.skipSpace()
	start, depth := p.pos, 0
	valid := func() bool { return json.Valid(p.data[start:p.pos]) }
	for ; p.pos < len(p.data); p.pos++ {
		switch p.data[p.pos] {
		case '"':
			for p.pos++; p.pos < len(p.data) && p.data[p.pos] != '"'; p.pos++ {
				if p.data[p.pos] == '\\' {
					p.pos++
				}
			}
			if p.pos >= len(p.data) {
				return false
			}
			if depth == 0 {
				p.pos++
				return valid()
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 { // the end of the top-level object, after a scalar
				return valid()
			}
			if depth--; depth == 0 {
				p.pos++
				return valid()
			}
		case ',':
			if depth == 0 {
				return valid()
			}
		}
	}
	return false
}

func (p *jsonParser) literal(word string) bool {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(word)) {
		return false
	}
	p.pos += len(word)
	return true
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (p *jsonParser) number() (any, bool) {
	start := p.pos
	digits := func() bool {
		n := p.pos
		for p.pos < len(p.data) && '0' <= p.data[p.pos] && p.data[p.pos] <= '9' {
			p.pos++
		}
		return p.pos > n
	}
	if p.peek() == '-' {
		p.pos++
	}
	if p.peek() == '0' {
		p.pos++
	} else if !digits() {
		return nil, false
	}
	if p.peek() == '.' {
		p.pos++
		if !digits() {
			return nil, false
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if !digits() {
			return nil, false
		}
	}
	return json.Number(p.data[start:p.pos]), true
}

// string reads a string, at its opening quote.
func (p *jsonParser) string() (string, bool) {
	start := p.pos
	plain := true
	i := start + 1
	for ; ; i++ {
		if i >= len(p.data) {
			return "", false
		}
		c := p.data[i]
		if c == '"' {
			break
		}
		switch {
		case c < 0x20:
			return "", false
		case c == '\\':
			plain = false
			if i+1 >= len(p.data) {
				return "", false
			}
			switch p.data[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				if i+6 > len(p.data) {
					return "", false
				}
				for _, h := range p.data[i+2 : i+6] {
					if !('0' <= h && h <= '9' || 'a' <= h && h <= 'f' || 'A' <= h && h <= 'F') {
						return "", false
					}
				}
				i += 5
			default:
				return "", false
			}
		case c >= utf8.RuneSelf:
			plain = false
		}
	}
	p.pos = i + 1
	if plain {
		return string(p.data[start+1 : i]), true
	}
	var s string
	if err := json.Unmarshal(p.data[start:p.pos], &s); err != nil {
		return "", false
	}
	return s, true
}

// jsonPositions returns the line and column of each problem's value or
// field name, with one more walk over the document; the document's start
// for a problem whose value is not found.
func jsonPositions(data []byte, problems []problem) [][2]int {
	type target struct {
		pointer string
		key     bool
	}
	want := make(map[target][]int)
	for i, p := range problems {
		t := target{pointer(p.path), p.key}
		want[t] = append(want[t], i)
	}
	offsets := make([]int, len(problems))
	for i := range offsets {
		offsets[i] = -1
	}
	p := &jsonParser{data: data}
	p.visit = func(path []string, key bool, offset int) {
		for _, i := range want[target{pointer(path), key}] {
			offsets[i] = offset
		}
	}
	p.value()
	out := make([][2]int, len(problems))
	for i, off := range offsets {
		if off < 0 { // not found: the document's start
			off = len(data) - len(bytes.TrimLeft(data, " \t\r\n"))
		}
		out[i][0], out[i][1] = lineCol(data, int64(off))
	}
	return out
}

// yamlLine finds the line in a YAML error message.
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

// yamlParserProblems are the messages of the YAML parser's errors (as
// opposed to its scanner's). yaml names their line counting from 0, and
// the line is where the construct that failed began: "did not find
// expected ',' or ']'" names the line of the '['.
var yamlParserProblems = []string{
	"did not find expected <stream-start>",
	"did not find expected <document start>",
	"found undefined tag handle",
	"did not find expected node content",
	"did not find expected '-' indicator",
	"did not find expected key",
	"did not find expected ',' or ']'",
	"did not find expected ',' or '}'",
	"found duplicate %YAML directive",
	"found incompatible YAML document",
	"found duplicate %TAG directive",
}

// yamlError turns an error of the YAML parser or decoder into an Error,
// with the line it names.
func yamlError(name string, err error) *Error {
	msg := err.Error()
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	e := &Error{File: name, Msg: strings.TrimPrefix(msg, "yaml: ")}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Msg = msg[len(m[0]):]
		if slices.Contains(yamlParserProblems, e.Msg) {
			e.Line++
		}
	}
	return e
}

// parseYAML parses a YAML document: one, with nothing after it.
func parseYAML(name string, data []byte) (*document, *Error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err == io.EOF {
		return nil, &Error{File: name, Msg: "no YAML document: only comments"}
	} else if err != nil {
		return nil, yamlError(name, err)
	}
	var next yaml.Node
	switch err := dec.Decode(&next); {
	case err == io.EOF:
	case err != nil:
		return nil, yamlError(name, err)
	default:
		return nil, &Error{File: name, Line: next.Line, Column: next.Column, Msg: "data after the end of the document: a second YAML document"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, &Error{File: name, Line: doc.Line, Column: doc.Column, Msg: "not a YAML document"}
	}
	root := doc.Content[0]
	c := &yamlConverter{file: name}
	v, err := c.value(root)
	if err != nil {
		return nil, err
	}
	return &document{name: name, data: data, value: v, yaml: root}, nil
}

// yamlConverter turns YAML nodes into plain values: the types JSON has,
// and nothing else.
type yamlConverter struct {
	file string
	path []string
}

func (c *yamlConverter) errorAt(n *yaml.Node, format string, args ...any) *Error {
	return &Error{File: c.file, Pointer: pointer(c.path), Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
}

func (c *yamlConverter) value(n *yaml.Node) (any, *Error) {
	switch n.Kind {
	case yaml.MappingNode:
		if tag := n.ShortTag(); tag != "!!map" {
			return nil, c.errorAt(n, "unsupported YAML tag %s", excerpt.Quote(tag))
		}
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
				if k.ShortTag() == "!!merge" {
					return nil, c.errorAt(k, "YAML merge keys (<<) are not supported")
				}
				return nil, c.errorAt(k, "field name is not a string")
			}
			c.path = append(c.path, k.Value)
			if _, dup := m[k.Value]; dup {
				return nil, c.errorAt(k, "duplicate field %s", excerpt.Quote(k.Value))
			}
			x, err := c.value(v)
			if err != nil {
				return nil, err
			}
			m[k.Value] = x
			c.path = c.path[:len(c.path)-1]
		}
		return m, nil
	case yaml.SequenceNode:
		if tag := n.ShortTag(); tag != "!!seq" {
			return nil, c.errorAt(n, "unsupported YAML tag %s", excerpt.Quote(tag))
		}
		a := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			c.path = append(c.path, strconv.Itoa(i))
			x, err := c.value(e)
			if err != nil {
				return nil, err
			}
			a = append(a, x)
			c.path = c.path[:len(c.path)-1]
		}
		return a, nil
	case yaml.AliasNode:
		return nil, c.errorAt(n, "YAML aliases are not supported")
	case yaml.ScalarNode:
	default:
		return nil, c.errorAt(n, "unexpected YAML node")
	}
	switch tag := n.ShortTag(); tag {
	case "!!str", "!!timestamp":
		// A timestamp is a string to the format, as to yaml's decoder into
		// a string field.
		return n.Value, nil
	case "!!null":
		return nil, nil
	case "!!bool", "!!int", "!!float":
		var x any
		if err := n.Decode(&x); err != nil {
			return nil, c.errorAt(n, "%v", strings.TrimPrefix(err.Error(), "yaml: "))
		}
		switch x := x.(type) {
		case bool:
			return x, nil
		case int:
			return json.Number(strconv.Itoa(x)), nil
		case int64:
			return json.Number(strconv.FormatInt(x, 10)), nil
		case uint64:
			return json.Number(strconv.FormatUint(x, 10)), nil
		case float64:
			if math.IsInf(x, 0) || math.IsNaN(x) {
				return nil, c.errorAt(n, "number %s is not finite", excerpt.Quote(n.Value))
			}
			return json.Number(strconv.FormatFloat(x, 'g', -1, 64)), nil
		}
		return nil, c.errorAt(n, "unexpected YAML value %s", excerpt.Quote(n.Value))
	default:
		return nil, c.errorAt(n, "unsupported YAML tag %s", excerpt.Quote(tag))
	}
}

// yamlPosition returns the line and column of the value at path, or of
// its field name with key; of the deepest node found when the path does
// not lead anywhere.
func yamlPosition(root *yaml.Node, path []string, key bool) [2]int {
	n := root
	for i, tok := range path {
		var next, name *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == tok {
					name, next = n.Content[j], n.Content[j+1]
					break
				}
			}
		case yaml.SequenceNode:
			if j, err := strconv.Atoi(tok); err == nil && j >= 0 && j < len(n.Content) {
				next = n.Content[j]
			}
		}
		if next == nil {
			break
		}
		if key && i == len(path)-1 && name != nil {
			next = name
		}
		n = next
	}
	return [2]int{n.Line, n.Column}
}
