package pathtemplate

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
)

// tokenKind is the kind of a token.
type tokenKind int

const (
	tokEOF    tokenKind = iota
	tokSlash            // "/"
	tokLBrace           // "{"
	tokRBrace           // "}"
	tokEqual            // "=", only inside a variable before its pattern
	tokDot              // ".", only inside a variable before its pattern
	tokText             // a maximal run of other characters
)

// token is a lexical token of the path part of a template.
type token struct {
	kind tokenKind
	text string
	off  int // byte offset in the template
}

// tokenize splits the path part of a template (the template without its
// verb) into tokens, ending with a tokEOF token. Like grpc-gateway's
// tokenizer it is modal: "." and "=" are delimiters only between a "{" and
// the "=" that starts the variable's pattern, and part of the text
// elsewhere, where they are valid literal characters.
func tokenize(path string) []token {
	// Size the slice once: at most one text token per delimiter, plus the
	// delimiters, a leading text and EOF. Templates are short and the plugin
	// parses one per binding, so growing it showed up in profiles.
	n := 2
	for i := 0; i < len(path); i++ {
		switch path[i] {
		case '/', '{', '}', '.', '=':
			n += 2
		}
	}
	toks := make([]token, 0, n)
	inFieldPath := false
	for i := 0; i < len(path); {
		delims := "/{}"
		if inFieldPath {
			delims = "/{}.="
		}
		n := strings.IndexAny(path[i:], delims)
		if n != 0 {
			if n < 0 {
				n = len(path) - i
			}
			toks = append(toks, token{kind: tokText, text: path[i : i+n], off: i})
			i += n
			continue
		}
		var kind tokenKind
		switch path[i] {
		case '/':
			kind = tokSlash
		case '{':
			kind, inFieldPath = tokLBrace, true
		case '}':
			kind, inFieldPath = tokRBrace, false
		case '=':
			kind, inFieldPath = tokEqual, false
		case '.':
			kind = tokDot
		}
		toks = append(toks, token{kind: kind, text: path[i : i+1], off: i})
		i++
	}
	return append(toks, token{kind: tokEOF, off: len(path)})
}

// verbColon returns the offset of the ':' that introduces the verb of
// template, or -1 if it has none: the last ':' that follows the last '/'
// and is outside braces.
func verbColon(template string) int {
	colon, depth := -1, 0
	for i := 0; i < len(template); i++ {
		switch template[i] {
		case '{':
			depth++
		case '}':
			if depth > 0 {
				depth--
			}
		case '/':
			colon = -1
		case ':':
			if depth == 0 {
				colon = i
			}
		}
	}
	return colon
}

// Parse parses a path template. Every error it returns is an *Error.
func Parse(template string) (*Template, error) {
	if !strings.HasPrefix(template, "/") {
		return nil, &Error{Template: template, Offset: 0, Msg: "template must start with '/'"}
	}
	path, verb := template, ""
	colon := verbColon(template)
	if colon >= 0 {
		path, verb = template[:colon], template[colon+1:]
	}
	p := &parser{template: template, toks: tokenize(path), pos: 1, deep: -1}
	if err := p.parseTemplate(); err != nil {
		return nil, err
	}
	if colon >= 0 {
		if verb == "" {
			return nil, p.errorf(colon+1, "empty verb")
		}
		if i, msg := checkLiteral(verb, "verb"); msg != "" {
			return nil, p.errorf(colon+1+i, "%s", msg)
		}
	}
	t := &Template{Segments: p.segs, Variables: p.vars, Verb: verb}
	if p.deep >= 0 && p.deep < len(p.segs)-1 {
		t.Deviations = []Deviation{{
			Rule:   RuleDeepWildcardNotLast,
			Offset: p.segOffs[p.deep],
			Msg:    "'**' is followed by more segments; http.proto allows it only last",
		}}
	}
	return t, nil
}

// parser is a recursive-descent parser over the tokens of a template's path.
type parser struct {
	template string
	toks     []token
	pos      int // index in toks of the next token
	segs     []Segment
	segOffs  []int // byte offset of each of segs
	deep     int   // index in segs of the "**" segment, -1 if there is none
	vars     []Variable
}

func (p *parser) errorf(off int, format string, args ...any) *Error {
	return &Error{Template: p.template, Offset: off, Msg: fmt.Sprintf(format, args...)}
}

// peek returns the next token. The tokEOF token is never consumed.
func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

// parseTemplate parses the Segments after the leading "/" (already
// consumed) up to the end of the path.
func (p *parser) parseTemplate() *Error {
	if p.peek().kind == tokEOF {
		return p.errorf(1, "template must have at least one segment")
	}
	return p.parseSegments(-1)
}

// parseSegments parses Segments. Inside a variable, open is the offset of
// its "{" and parsing stops before the closing "}"; at the top level open
// is -1 and parsing stops at the end of the path.
func (p *parser) parseSegments(open int) *Error {
	inVar := open >= 0
	for {
		if err := p.parseSegment(open); err != nil {
			return err
		}
		t := p.peek()
		switch {
		case t.kind == tokSlash:
			p.next()
		case inVar && t.kind == tokRBrace, !inVar && t.kind == tokEOF:
			return nil
		case inVar && t.kind == tokLBrace:
			return p.errorf(t.off, "nested variable")
		case inVar && t.kind == tokEOF:
			return p.errorf(open, "unterminated variable")
		case t.kind == tokRBrace:
			return p.errorf(t.off, "unexpected '}'")
		default: // "a{b}" or "{a}b"
			return p.errorf(t.off, "variable must be a whole segment")
		}
	}
}

// parseSegment parses one Segment; open is as for parseSegments.
func (p *parser) parseSegment(open int) *Error {
	inVar := open >= 0
	prev := p.toks[p.pos-1] // the "/" or "=" before the segment
	t := p.peek()
	switch {
	case t.kind == tokText:
		p.next()
		switch t.text {
		case "*":
			return p.addSegment(Segment{Kind: Wildcard}, t.off)
		case "**":
			return p.addSegment(Segment{Kind: DeepWildcard}, t.off)
		}
		if i, msg := checkLiteral(t.text, "literal"); msg != "" {
			return p.errorf(t.off+i, "%s", msg)
		}
		return p.addSegment(Segment{Kind: Literal, Value: t.text}, t.off)
	case t.kind == tokLBrace && inVar:
		return p.errorf(t.off, "nested variable")
	case t.kind == tokLBrace:
		return p.parseVariable()
	case t.kind == tokSlash:
		return p.errorf(t.off, "empty segment")
	case inVar && t.kind == tokRBrace && prev.kind == tokEqual:
		return p.errorf(t.off, "empty variable pattern")
	case inVar && t.kind == tokEOF:
		return p.errorf(open, "unterminated variable")
	case t.kind == tokRBrace && !inVar:
		return p.errorf(t.off, "unexpected '}'")
	default: // "}" or the end of the path right after a "/"
		return p.errorf(prev.off, "trailing '/'")
	}
}

// addSegment appends a segment that starts at offset off, checking that
// the template has at most one "**".
//
// http.proto allows "**" only as the last segment, but published APIs put
// it in mid-path (Firestore's
// "/v1/{parent=projects/*/databases/*/documents/**}/{collection_id}") and
// grpc-gateway and Google's path-template libraries serve them, so Parse
// accepts that and records a Deviation. A second "**" stays an error:
// grpc-gateway's parser takes it but its runtime refuses the pattern
// ("pushM appears twice"), so a gateway built from it fails at start-up,
// and which segments each "**" would take is ambiguous.
func (p *parser) addSegment(s Segment, off int) *Error {
	if s.Kind == DeepWildcard {
		if p.deep >= 0 {
			return p.errorf(off, "only one '**' is allowed per template")
		}
		p.deep = len(p.segs)
	}
	p.segs = append(p.segs, s)
	p.segOffs = append(p.segOffs, off)
	return nil
}

// parseVariable parses a Variable; the next token is its "{".
func (p *parser) parseVariable() *Error {
	open := p.next().off
	fieldOff := p.peek().off
	var fieldPath []string
	for {
		t := p.next()
		switch t.kind {
		case tokText:
			if i, msg := checkIdent(t.text); msg != "" {
				return p.errorf(t.off+i, "%s", msg)
			}
			fieldPath = append(fieldPath, t.text)
		case tokLBrace:
			return p.errorf(t.off, "nested variable")
		case tokEOF:
			return p.errorf(open, "unterminated variable")
		default:
			return p.errorf(t.off, "empty field name")
		}
		if p.peek().kind != tokDot {
			break
		}
		p.next()
	}
	v := Variable{FieldPath: fieldPath, Start: len(p.segs)}
	for _, w := range p.vars {
		if w.FieldPathString() == v.FieldPathString() {
			return p.errorf(fieldOff, "field path %q is bound more than once", excerpt.Cut(v.FieldPathString(), maxQuotedFieldPath))
		}
	}
	switch t := p.next(); t.kind {
	case tokRBrace:
		if err := p.addSegment(Segment{Kind: Wildcard}, open); err != nil {
			return err
		}
	case tokEqual:
		if err := p.parseSegments(open); err != nil {
			return err
		}
		p.next() // the "}"
	case tokLBrace:
		return p.errorf(t.off, "nested variable")
	case tokEOF:
		return p.errorf(open, "unterminated variable")
	default:
		return p.errorf(t.off, "unexpected '%s' in field path", t.text)
	}
	v.End = len(p.segs)
	texts := make([]string, 0, v.End-v.Start)
	for _, s := range p.segs[v.Start:v.End] {
		texts = append(texts, s.text())
	}
	v.Pattern = strings.Join(texts, "/")
	p.vars = append(p.vars, v)
	return nil
}

// checkIdent checks that s is an IDENT. If it is not, it returns the
// offset in s of the problem and a message.
func checkIdent(s string) (int, string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9':
			if i == 0 {
				return i, "field name must not start with a digit"
			}
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return i, fmt.Sprintf("invalid character %q in field name", r)
		}
	}
	return 0, ""
}

// checkLiteral checks that s is a LITERAL; what names it ("literal" or
// "verb") in messages. If it is not, it returns the offset in s of the
// problem and a message.
func checkLiteral(s, what string) (int, string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9',
			strings.IndexByte("-._~!$&'()+,;=@", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return i, "invalid percent-encoding"
			}
			i += 2
		case c == '*' && what == "literal":
			return i, "wildcard must be a whole segment"
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return i, fmt.Sprintf("invalid character %q in %s", r, what)
		}
	}
	return 0, ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
