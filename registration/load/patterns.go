package load

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// fastPatterns match the schema's patterns without a regular expression
// engine: Go's regexp took a quarter of the schema's validation time on
// the aggregate registration of googleapis, where every message type,
// method and field path is matched. Each gives exactly what
// regexp.MatchString gives for its pattern (TestFastPatterns and
// FuzzFastPatterns hold them to it); a pattern not listed goes to regexp.
var fastPatterns = map[string]func(string) bool{
	`^[^/].*\.proto$`: isProtoPath,
	`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`: isDottedIdent,
	`^[A-Za-z_][A-Za-z0-9_]*$`:                            isIdent,
	`^v[0-9]+([a-z][a-z0-9]*)?$`:                          registration.IsVersion,
	`^/`:                                                  func(s string) bool { return strings.HasPrefix(s, "/") },
	`^[A-Z][A-Z0-9_]*$`:                                   isRuleID,
}

// fastPattern is a jsonschema.Regexp for a pattern of fastPatterns.
type fastPattern struct {
	pattern string
	match   func(string) bool
}

func (p fastPattern) MatchString(s string) bool { return p.match(s) }
func (p fastPattern) String() string            { return p.pattern }

// compilePattern is the schema compiler's regexp engine.
func compilePattern(pattern string) (jsonschema.Regexp, error) {
	if match, ok := fastPatterns[pattern]; ok {
		return fastPattern{pattern, match}, nil
	}
	return regexp.Compile(pattern)
}

// isProtoPath: a first character other than '/', then anything but a line
// feed ('.' does not match one), then ".proto" at the end.
func isProtoPath(s string) bool {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 || r == '/' || len(s) < size+len(".proto") || !strings.HasSuffix(s, ".proto") {
		return false
	}
	return !strings.Contains(s[size:len(s)-len(".proto")], "\n")
}

func isIdentStart(c byte) bool { return c == '_' || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' }

func isIdentChar(c byte) bool { return isIdentStart(c) || '0' <= c && c <= '9' }

func isIdent(s string) bool {
	if s == "" || !isIdentStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isIdentChar(s[i]) {
			return false
		}
	}
	return true
}

func isDottedIdent(s string) bool {
	for part := range strings.SplitSeq(s, ".") {
		if !isIdent(part) {
			return false
		}
	}
	return true
}

func isRuleID(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
