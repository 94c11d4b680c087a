package pathtemplate

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func lit(s string) Segment { return Segment{Kind: Literal, Value: s} }

var (
	star     = Segment{Kind: Wildcard}
	starStar = Segment{Kind: DeepWildcard}
)

func variable(fieldPath []string, pattern string, start, end int) Variable {
	return Variable{FieldPath: fieldPath, Pattern: pattern, Start: start, End: end}
}

var validTests = []struct {
	template string
	want     Template
}{
	// A single literal segment.
	{"/v1", Template{Segments: []Segment{lit("v1")}}},
	// Several literal segments.
	{"/v1/shelves/books", Template{Segments: []Segment{lit("v1"), lit("shelves"), lit("books")}}},
	// A variable with a multi-segment pattern is expanded in place.
	{"/v1/{name=shelves/*/books/*}", Template{
		Segments:  []Segment{lit("v1"), lit("shelves"), star, lit("books"), star},
		Variables: []Variable{variable([]string{"name"}, "shelves/*/books/*", 1, 5)},
	}},
	// A dotted field path and a verb.
	{"/v1/{book.name=shelves/*/books/*}:publish", Template{
		Segments:  []Segment{lit("v1"), lit("shelves"), star, lit("books"), star},
		Variables: []Variable{variable([]string{"book", "name"}, "shelves/*/books/*", 1, 5)},
		Verb:      "publish",
	}},
	// A variable without a pattern means "=*", and literals may follow it.
	{"/v1/shelves/{shelf}/books", Template{
		Segments:  []Segment{lit("v1"), lit("shelves"), star, lit("books")},
		Variables: []Variable{variable([]string{"shelf"}, "*", 2, 3)},
	}},
	// An explicit "=*" pattern is the same as none.
	{"/v1/{shelf=*}", Template{
		Segments:  []Segment{lit("v1"), star},
		Variables: []Variable{variable([]string{"shelf"}, "*", 1, 2)},
	}},
	// A trailing deep wildcard.
	{"/v1/**", Template{Segments: []Segment{lit("v1"), starStar}}},
	// A deep wildcard as a variable's whole pattern.
	{"/v1/{name=**}", Template{
		Segments:  []Segment{lit("v1"), starStar},
		Variables: []Variable{variable([]string{"name"}, "**", 1, 2)},
	}},
	// A deep wildcard ending a variable's pattern, followed by a verb.
	{"/v1/{name=files/**}:get", Template{
		Segments:  []Segment{lit("v1"), lit("files"), starStar},
		Variables: []Variable{variable([]string{"name"}, "files/**", 1, 3)},
		Verb:      "get",
	}},
	// A deep wildcard followed by a verb.
	{"/v1/**:watch", Template{Segments: []Segment{lit("v1"), starStar}, Verb: "watch"}},
	// A deep wildcard as the only segment.
	{"/**", Template{Segments: []Segment{starStar}}},
	// A wildcard in the middle of the path.
	{"/v1/*/b", Template{Segments: []Segment{lit("v1"), star, lit("b")}}},
	// A verb on a literal segment.
	{"/v1/a:verb", Template{Segments: []Segment{lit("v1"), lit("a")}, Verb: "verb"}},
	// The verb may follow a variable whose pattern holds the last '/'.
	{"/v1/{name=a/b}:cancel", Template{
		Segments:  []Segment{lit("v1"), lit("a"), lit("b")},
		Variables: []Variable{variable([]string{"name"}, "a/b", 1, 3)},
		Verb:      "cancel",
	}},
	// Several variables in order of appearance; digits, '_' and upper case in names.
	{"/v1/{a_1}/x/{b.c_D}", Template{
		Segments: []Segment{lit("v1"), star, lit("x"), star},
		Variables: []Variable{
			variable([]string{"a_1"}, "*", 1, 2),
			variable([]string{"b", "c_D"}, "*", 3, 4),
		},
	}},
	// Distinct field paths may share a prefix.
	{"/{a}/{a.b}", Template{
		Segments: []Segment{star, star},
		Variables: []Variable{
			variable([]string{"a"}, "*", 0, 1),
			variable([]string{"a", "b"}, "*", 1, 2),
		},
	}},
	// A variable as the first segment.
	{"/{name}", Template{
		Segments:  []Segment{star},
		Variables: []Variable{variable([]string{"name"}, "*", 0, 1)},
	}},
	// A field name may start with '_'.
	{"/{_x}", Template{
		Segments:  []Segment{star},
		Variables: []Variable{variable([]string{"_x"}, "*", 0, 1)},
	}},
	// Percent-encodings, in either hex case, are kept as written.
	{"/a%2Fb/%2f/%7E", Template{Segments: []Segment{lit("a%2Fb"), lit("%2f"), lit("%7E")}}},
	// The unreserved characters '-', '.', '_' and '~'.
	{"/a-b/c.d/e_f/g~h/.", Template{Segments: []Segment{lit("a-b"), lit("c.d"), lit("e_f"), lit("g~h"), lit(".")}}},
	// Sub-delims other than '*', and '@'.
	{"/!$&'()+,;=/user@host", Template{Segments: []Segment{lit("!$&'()+,;="), lit("user@host")}}},
	// '.' and '=' in a variable's pattern are literal characters.
	{"/{x=a.b/c=d/==}", Template{
		Segments:  []Segment{lit("a.b"), lit("c=d"), lit("==")},
		Variables: []Variable{variable([]string{"x"}, "a.b/c=d/==", 0, 3)},
	}},
	// A verb with a percent-encoding and unreserved characters.
	{"/v1:a-b.c%20", Template{Segments: []Segment{lit("v1")}, Verb: "a-b.c%20"}},
	// Firestore's ListDocuments: a "**" ending a variable's pattern, followed
	// by another variable, is accepted and recorded as a deviation at the
	// offset of the "**".
	{"/v1/{parent=projects/*/databases/*/documents/**}/{collection_id}", Template{
		Segments: []Segment{lit("v1"), lit("projects"), star, lit("databases"), star, lit("documents"), starStar, star},
		Variables: []Variable{
			variable([]string{"parent"}, "projects/*/databases/*/documents/**", 1, 7),
			variable([]string{"collection_id"}, "*", 7, 8),
		},
		Deviations: []Deviation{deepNotLast(45)},
	}},
	// Discovery Engine: a mid-path "**" followed by a literal and a verb.
	{"/v1/{parent=projects/*/locations/*/dataStores/**}/suggestionDenyListEntries:purge", Template{
		Segments: []Segment{lit("v1"), lit("projects"), star, lit("locations"), star, lit("dataStores"), starStar, lit("suggestionDenyListEntries")},
		Variables: []Variable{
			variable([]string{"parent"}, "projects/*/locations/*/dataStores/**", 1, 7),
		},
		Verb:       "purge",
		Deviations: []Deviation{deepNotLast(46)},
	}},
	// A bare "**" as the first of two segments.
	{"/**/a", Template{Segments: []Segment{starStar, lit("a")}, Deviations: []Deviation{deepNotLast(1)}}},
	// A "**" followed by a wildcard and a verb.
	{"/a/**/*:get", Template{Segments: []Segment{lit("a"), starStar, star}, Verb: "get", Deviations: []Deviation{deepNotLast(3)}}},
	// A "**" followed by more segments inside the same variable.
	{"/{x=**/a}", Template{
		Segments:   []Segment{starStar, lit("a")},
		Variables:  []Variable{variable([]string{"x"}, "**/a", 0, 2)},
		Deviations: []Deviation{deepNotLast(4)},
	}},
	// A variable whose pattern is "**", followed by a literal.
	{"/{x=**}/a", Template{
		Segments:   []Segment{starStar, lit("a")},
		Variables:  []Variable{variable([]string{"x"}, "**", 0, 1)},
		Deviations: []Deviation{deepNotLast(4)},
	}},
	// A "**" variable followed by another variable.
	{"/{x=**}/{y}", Template{
		Segments: []Segment{starStar, star},
		Variables: []Variable{
			variable([]string{"x"}, "**", 0, 1),
			variable([]string{"y"}, "*", 1, 2),
		},
		Deviations: []Deviation{deepNotLast(4)},
	}},
}

// deepNotLast is the deviation recorded for a "**" at offset off that is
// not the last segment.
func deepNotLast(off int) Deviation {
	return Deviation{
		Rule:   RuleDeepWildcardNotLast,
		Offset: off,
		Msg:    "'**' is followed by more segments; http.proto allows it only last",
	}
}

func TestParseValid(t *testing.T) {
	for _, tt := range validTests {
		got, err := Parse(tt.template)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.template, err)
			continue
		}
		if diff := cmp.Diff(&tt.want, got); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.template, diff)
		}
	}
}

var invalidTests = []struct {
	template string
	offset   int
	msg      string
}{
	// The template must start with '/'.
	{"", 0, "template must start with '/'"},
	{"v1/a", 0, "template must start with '/'"},
	{":verb", 0, "template must start with '/'"},
	// "/" alone has no segments, with or without a verb.
	{"/", 1, "template must have at least one segment"},
	{"/:verb", 1, "template must have at least one segment"},
	// Empty segments, also inside a variable's pattern.
	{"//", 1, "empty segment"},
	{"/v1//a", 4, "empty segment"},
	{"/{a=b//c}", 6, "empty segment"},
	{"/{a=/b}", 4, "empty segment"},
	// A trailing '/', also before a verb and inside a variable's pattern.
	{"/v1/", 3, "trailing '/'"},
	{"/v1/:verb", 3, "trailing '/'"},
	{"/{a=b/}", 5, "trailing '/'"},
	// At most one "**" per template, also across variables; the offset is
	// the second one. ("**" followed by more segments is valid: see
	// validTests.)
	{"/**/**", 4, "only one '**' is allowed per template"},
	{"/a/**/b/**:get", 8, "only one '**' is allowed per template"},
	{"/{x=**}/{y=**}", 11, "only one '**' is allowed per template"},
	{"/{x=**/**}", 7, "only one '**' is allowed per template"},
	{"/**/{x=a/**}", 9, "only one '**' is allowed per template"},
	// Variables may not nest.
	{"/a/{b={c}}", 6, "nested variable"},
	{"/{a=x/{b}}", 6, "nested variable"},
	{"/{a{b}}", 3, "nested variable"},
	{"/{{a}}", 2, "nested variable"},
	{"/{a.{b}}", 4, "nested variable"},
	// Field names are [A-Za-z_][A-Za-z0-9_]*.
	{"/{1a}", 2, "field name must not start with a digit"},
	{"/{a.1}", 4, "field name must not start with a digit"},
	{"/{a-b}", 3, "invalid character '-' in field name"},
	{"/{a*}", 3, "invalid character '*' in field name"},
	{"/{a:b}", 3, "invalid character ':' in field name"},
	{"/v1/{a.b:get", 8, "invalid character ':' in field name"},
	{"/{é}", 2, "invalid character 'é' in field name"},
	{"/{a/b}", 3, "unexpected '/' in field path"},
	// Empty field names.
	{"/{}", 2, "empty field name"},
	{"/{.a}", 2, "empty field name"},
	{"/{a.}", 4, "empty field name"},
	{"/{a..b}", 4, "empty field name"},
	{"/{=x}", 2, "empty field name"},
	// A field path may be bound only once.
	{"/{a}/{a}", 6, `field path "a" is bound more than once`},
	{"/{a.b}/{a.b=x/*}", 8, `field path "a.b" is bound more than once`},
	// Literal characters are pchar without ':' and '*'.
	{"/a b", 2, "invalid character ' ' in literal"},
	{"/a?b", 2, "invalid character '?' in literal"},
	{"/a#b", 2, "invalid character '#' in literal"},
	{"/é", 1, "invalid character 'é' in literal"},
	{"/\xff", 1, "invalid character '\ufffd' in literal"},
	{"/a:b/c", 2, "invalid character ':' in literal"},
	{"/{a=b:c}", 5, "invalid character ':' in literal"},
	{"/v1:x{}:y", 3, "invalid character ':' in literal"},
	// Percent-encodings need two hex digits.
	{"/a%", 2, "invalid percent-encoding"},
	{"/a%2", 2, "invalid percent-encoding"},
	{"/a%zz", 2, "invalid percent-encoding"},
	{"/%4g", 1, "invalid percent-encoding"},
	// "*" and "**" may not be mixed with other characters.
	{"/a*", 2, "wildcard must be a whole segment"},
	{"/*a", 1, "wildcard must be a whole segment"},
	{"/***", 1, "wildcard must be a whole segment"},
	{"/{x=a**}", 5, "wildcard must be a whole segment"},
	// The verb is a non-empty literal.
	{"/a:", 3, "empty verb"},
	{"/{a}:", 5, "empty verb"},
	{"/a:b c", 4, "invalid character ' ' in verb"},
	{"/a:b*", 4, "invalid character '*' in verb"},
	{"/a:b}", 4, "invalid character '}' in verb"},
	{"/{a}:b{", 6, "invalid character '{' in verb"},
	{"/a:%zz", 3, "invalid percent-encoding"},
	// Unterminated variables; the offset is the '{'.
	{"/{", 1, "unterminated variable"},
	{"/{a", 1, "unterminated variable"},
	{"/{a.", 1, "unterminated variable"},
	{"/{a=", 1, "unterminated variable"},
	{"/{a=b", 1, "unterminated variable"},
	{"/{a=b/", 1, "unterminated variable"},
	{"/v1/{a.b", 4, "unterminated variable"},
	// Stray '}'.
	{"/}", 1, "unexpected '}'"},
	{"/a}", 2, "unexpected '}'"},
	{"/{a}}", 4, "unexpected '}'"},
	{"/a/}/b", 3, "unexpected '}'"},
	// Empty variable pattern.
	{"/{a=}", 4, "empty variable pattern"},
	// A variable must be a whole segment.
	{"/a{b}", 2, "variable must be a whole segment"},
	{"/{a}b", 4, "variable must be a whole segment"},
	{"/{a}{b}", 4, "variable must be a whole segment"},
}

func TestParseInvalid(t *testing.T) {
	for _, tt := range invalidTests {
		got, err := Parse(tt.template)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want an error", tt.template, got)
			continue
		}
		var perr *Error
		if !errors.As(err, &perr) {
			t.Errorf("Parse(%q) error %v is a %T, want *Error", tt.template, err, err)
			continue
		}
		want := &Error{Template: tt.template, Offset: tt.offset, Msg: tt.msg}
		if diff := cmp.Diff(want, perr); diff != "" {
			t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tt.template, diff)
		}
	}
}

func TestErrorString(t *testing.T) {
	a, b, c := strings.Repeat("a", 99), strings.Repeat("b", 100), strings.Repeat("c", 38)
	tests := []struct {
		err  *Error
		want string
	}{
		// A short template is quoted whole.
		{&Error{"/v1//a", 4, "empty segment"}, `path template "/v1//a": offset 4: empty segment`},
		// So is one of exactly 80 bytes.
		{&Error{"/" + strings.Repeat("a", 78) + " ", 79, "m"}, `path template "/` + strings.Repeat("a", 78) + ` ": offset 79: m`},
		// A longer one is quoted from 24 bytes before the offset to 40 bytes
		// from it, with "…" at both cut ends.
		{&Error{"/" + a + "/x y/" + b, 102, "m"}, `path template "…` + a[:22] + "/x y/" + b[:37] + `…": offset 102: m`},
		// Near the start, the window keeps its size and only the end is cut.
		{&Error{"/v1//" + b, 4, "m"}, `path template "/v1//` + b[:59] + `…": offset 4: m`},
		// Near the end, only the start is cut.
		{&Error{"/" + b + "/x y", 103, "m"}, `path template "…` + b[40:] + `/x y": offset 103: m`},
		// An offset past the end is quoted as at the end.
		{&Error{"/" + b + "/x y", 1000, "m"}, `path template "…` + b[40:] + `/x y": offset 1000: m`},
		// Cuts fall on rune boundaries: the "€" at bytes 140-142 would be
		// cut at 141, so it is left out whole.
		{&Error{"/" + a + "//" + c + "€" + b, 101, "m"}, `path template "…` + a[:23] + "//" + c + `…": offset 101: m`},
		// The same at the start of the window, which would begin at byte 37,
		// in the middle of an "é", and end at 101.
		{&Error{strings.Repeat("é", 60), 61, "m"}, `path template "…` + strings.Repeat("é", 32) + `…": offset 61: m`},
		// Invalid UTF-8 has no rune boundaries: each cut moves back at most
		// three bytes, from 26 to 23 and from 90 to 87.
		{&Error{strings.Repeat("\xa5", 100), 50, "m"}, `path template "…` + strings.Repeat(`\xa5`, 64) + `…": offset 50: m`},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() of %q at %d:\n got %s\nwant %s", tt.err.Template, tt.err.Offset, got, tt.want)
		}
	}

	// Parse errors read the same way, and a long field path is shortened
	// in the message.
	long := strings.Repeat("a", 70)
	template := "/{" + long + "}/{" + long + "}"
	want := `path template "…` + long[:21] + "}/{" + long[:40] + `…": offset 75: field path "` + long[:64] + `…" is bound more than once`
	_, err := Parse(template)
	if err == nil || err.Error() != want {
		t.Errorf("Parse(%q) error:\n got %v\nwant %s", template, err, want)
	}
	if perr := (*Error)(nil); !errors.As(err, &perr) || perr.Template != template {
		t.Errorf("Parse(%q) error %#v does not hold the whole template", template, err)
	}
}

// TestErrorStringBounded checks that a huge template gives a short message.
func TestErrorStringBounded(t *testing.T) {
	for _, template := range []string{
		strings.Repeat("/a", 1<<19) + "/",                                // trailing '/' at the end
		"/ " + strings.Repeat("/a", 1<<19),                               // bad literal at the start
		strings.Repeat("/a", 1<<18) + "//" + strings.Repeat("/a", 1<<18), // in the middle
		"/{" + strings.Repeat("a", 1<<20),                                // unterminated variable
		"/{" + strings.Repeat("a", 1<<19) + "}/{" + strings.Repeat("a", 1<<19) + "}",
	} {
		_, err := Parse(template)
		if err == nil {
			t.Errorf("Parse of a %d-byte template succeeded, want an error", len(template))
			continue
		}
		if msg := err.Error(); len(msg) > maxErrorLen {
			t.Errorf("Parse of a %d-byte template: error of %d bytes: %.200s", len(template), len(msg), msg)
		}
	}
}

// maxErrorLen bounds the length of any error message of Parse: an escaped
// excerpt, an offset and a message with a shortened field path.
const maxErrorLen = 512

func TestString(t *testing.T) {
	tests := []struct{ template, want string }{
		// An explicit "=*" is dropped.
		{"/v1/{name=*}", "/v1/{name}"},
		{"/v1/{a.b=*}/c:get", "/v1/{a.b}/c:get"},
		// Other patterns and verbs are kept.
		{"/v1/{book.name=shelves/*/books/*}:publish", "/v1/{book.name=shelves/*/books/*}:publish"},
		{"/v1/{name=**}", "/v1/{name=**}"},
		{"/v1/**:watch", "/v1/**:watch"},
		{"/a%2Fb/{x=a.b/c=d}", "/a%2Fb/{x=a.b/c=d}"},
		// A mid-path "**", bare or in a variable, stays where it is.
		{"/v1/{parent=projects/*/documents/**}/{collection_id=*}", "/v1/{parent=projects/*/documents/**}/{collection_id}"},
		{"/a/**/{b}/c:purge", "/a/**/{b}/c:purge"},
		{"/{x=**/a}", "/{x=**/a}"},
	}
	for _, tt := range tests {
		tmpl, err := Parse(tt.template)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.template, err)
			continue
		}
		if got := tmpl.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.template, got, tt.want)
		}
	}
}

// checkRoundTrip checks that Parse(tmpl.String()) gives back tmpl, parsed
// from template: the same template with the same deviations, each at the
// offset of its "**" in the text it was parsed from.
func checkRoundTrip(t *testing.T, template string, tmpl *Template) {
	t.Helper()
	again, err := Parse(tmpl.String())
	if err != nil {
		t.Fatalf("Parse(%q) (String of %q): %v", tmpl.String(), template, err)
	}
	// Offsets differ when String drops an "=*" before the "**".
	ignoreOffsets := cmpopts.IgnoreFields(Deviation{}, "Offset")
	if diff := cmp.Diff(tmpl, again, ignoreOffsets); diff != "" {
		t.Fatalf("round trip of %q through %q mismatch (-first +second):\n%s", template, tmpl.String(), diff)
	}
	checkDeviations(t, template, tmpl)
	checkDeviations(t, tmpl.String(), again)
}

// checkDeviations checks that tmpl, parsed from template, has one deviation
// per "**" segment that is not last, at the offset of a "**" in template.
func checkDeviations(t *testing.T, template string, tmpl *Template) {
	t.Helper()
	want := 0
	for i, s := range tmpl.Segments {
		if s.Kind == DeepWildcard && i < len(tmpl.Segments)-1 {
			want++
		}
	}
	if len(tmpl.Deviations) != want || want == 0 && tmpl.Deviations != nil {
		t.Fatalf("Parse(%q) has deviations %v, want %d", template, tmpl.Deviations, want)
	}
	for _, d := range tmpl.Deviations {
		if d.Rule != RuleDeepWildcardNotLast || !strings.HasPrefix(template[d.Offset:], "**") {
			t.Fatalf("Parse(%q) has deviation %+v, want %s at a \"**\"", template, d, RuleDeepWildcardNotLast)
		}
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, tt := range validTests {
		tmpl, err := Parse(tt.template)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.template, err)
			continue
		}
		checkRoundTrip(t, tt.template, tmpl)
	}
}

// TestDeviationOffsets checks where deviations are reported, also when the
// canonical text moves the "**".
func TestDeviationOffsets(t *testing.T) {
	tests := []struct {
		template string
		offset   int // of the deviation; -1 for none
		canon    int // of the deviation in the canonical text
	}{
		// A trailing "**" follows the grammar, also before a verb.
		{"/v1/**", -1, -1},
		{"/v1/{name=**}:get", -1, -1},
		// String writes "{a=*}" as "{a}", which moves the "**" by two.
		{"/v1/{a=*}/**/b", 10, 8},
		{"/{a=*}/{b=x/**}/c", 12, 10},
		// Nothing to drop: the offsets agree.
		{"/v1/**/b", 4, 4},
	}
	for _, tt := range tests {
		tmpl, err := Parse(tt.template)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.template, err)
			continue
		}
		again, err := Parse(tmpl.String())
		if err != nil {
			t.Errorf("Parse(%q): %v", tmpl.String(), err)
			continue
		}
		for _, c := range []struct {
			text   string
			tmpl   *Template
			offset int
		}{{tt.template, tmpl, tt.offset}, {tmpl.String(), again, tt.canon}} {
			var want []Deviation
			if c.offset >= 0 {
				want = []Deviation{deepNotLast(c.offset)}
			}
			if diff := cmp.Diff(want, c.tmpl.Deviations); diff != "" {
				t.Errorf("Parse(%q).Deviations mismatch (-want +got):\n%s", c.text, diff)
			}
		}
	}
}

func TestFieldPathString(t *testing.T) {
	v := Variable{FieldPath: []string{"book", "name"}}
	if got := v.FieldPathString(); got != "book.name" {
		t.Errorf("FieldPathString() = %q, want %q", got, "book.name")
	}
}

func TestOverlaps(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		// Identical literal templates.
		{"/v1/a", "/v1/a", true},
		// Different literals.
		{"/v1/a", "/v1/b", false},
		// A wildcard matches any literal.
		{"/v1/*", "/v1/a", true},
		// A variable is a wildcard.
		{"/v1/{name}", "/v1/a", true},
		// "*" needs exactly one segment.
		{"/a/*", "/a", false},
		// Different lengths without "**".
		{"/a/b", "/a/b/c", false},
		// Wildcards in different positions meet on "/a/b/c".
		{"/a/*/c", "/*/b/*", true},
		// A literal mismatch after a wildcard.
		{"/a/b/c", "/a/*/d", false},
		// "**" matches zero segments.
		{"/v1/**", "/v1", true},
		// "**" matches several segments.
		{"/v1/**", "/v1/a/b", true},
		// "**" does not help when the prefix differs.
		{"/v1/**", "/v2/a", false},
		// Two "**" at different positions.
		{"/v1/**", "/**", true},
		// Two "**" after different literals.
		{"/a/**", "/b/**", false},
		// "**" against a variable's pattern.
		{"/**", "/v1/{name=shelves/*}", true},
		// "**" against a longer tail of wildcards and literals.
		{"/a/**", "/*/b/c", true},
		// "/a/b/**" matches "/a/b", as does "/a/*".
		{"/a/b/**", "/a/*", true},
		// "/a/b/c/**" needs at least three segments, "/a/*" has two.
		{"/a/b/c/**", "/a/*", false},
		// "**" inside a variable.
		{"/v1/{name=files/**}", "/v1/files", true},
		// "**" against many segments.
		{"/**", "/a/b/c/d/e/f", true},
		// Different verbs never overlap.
		{"/v1/{name}", "/v1/{id}:get", false},
		{"/v1/a:get", "/v1/a:list", false},
		{"/**:get", "/**", false},
		// The same verb with overlapping paths.
		{"/v1/a:get", "/v1/*:get", true},
		// Same verb, paths that do not overlap.
		{"/v1/a:get", "/v2/*:get", false},
		// Literals are compared as written.
		{"/a%2Fb", "/a%2fb", false},
		// A mid-path "**" matches zero segments ...
		{"/v1/{parent=documents/**}/{collection_id}", "/v1/documents/users", true},
		// ... or several, before what follows it.
		{"/v1/{parent=documents/**}/{collection_id}", "/v1/documents/a/b/c/users", true},
		// What follows a mid-path "**" must still be matched.
		{"/v1/**/purge", "/v1/a/b", false},
		{"/v1/**/purge", "/v1/a/purge", true},
		{"/v1/**/purge", "/v1/purge", true},
		// The segments after the "**" need room: "/v1/**/a/b" needs three.
		{"/v1/**/a/b", "/v1/*", false},
		{"/v1/**/a/b", "/*/*/*", true},
		// Two mid-path "**" templates meet on a path both can stretch to.
		{"/a/**/b", "/**/c/b", true},
		{"/a/**/b", "/**/c", false},
		// A mid-path "**" against a trailing one.
		{"/a/**/b", "/a/c/**", true},
		{"/a/**/b", "/c/**", false},
		// The verb still has to agree.
		{"/a/**/b:get", "/a/b", false},
	}
	for _, tt := range tests {
		a, err := Parse(tt.a)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.a, err)
		}
		b, err := Parse(tt.b)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tt.b, err)
		}
		if got := Overlaps(a, b); got != tt.want {
			t.Errorf("Overlaps(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := Overlaps(b, a); got != tt.want {
			t.Errorf("Overlaps(%q, %q) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
	if Overlaps(nil, nil) {
		t.Error("Overlaps(nil, nil) = true, want false")
	}
}

func FuzzParse(f *testing.F) {
	for _, tt := range validTests {
		f.Add(tt.template)
	}
	for _, tt := range invalidTests {
		f.Add(tt.template)
	}
	f.Add("/v1/{a=*}/{b=x/**}/{c}:d")
	f.Fuzz(func(t *testing.T, template string) {
		tmpl, err := Parse(template)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Parse(%q) error %v is a %T, want *Error", template, err, err)
			}
			if perr.Template != template || perr.Offset < 0 || perr.Offset > len(template) {
				t.Fatalf("Parse(%q) error %#v has a bad Template or Offset", template, perr)
			}
			if msg := perr.Error(); len(msg) > maxErrorLen {
				t.Fatalf("Parse(%q) error of %d bytes: %s", template, len(msg), msg)
			}
			return
		}
		checkRoundTrip(t, template, tmpl)
		if !Overlaps(tmpl, tmpl) {
			t.Fatalf("Overlaps(%q, itself) = false", template)
		}
	})
}

// matches reports whether the template segments segs match the concrete path.
func matches(segs []Segment, path []string) bool {
	if len(segs) == 0 {
		return len(path) == 0
	}
	switch s := segs[0]; {
	case s.Kind == DeepWildcard:
		return matches(segs[1:], path) || len(path) > 0 && matches(segs, path[1:])
	case len(path) == 0:
		return false
	case s.Kind == Wildcard || s.Value == path[0]:
		return matches(segs[1:], path[1:])
	}
	return false
}

// TestOverlapsBruteForce compares Overlaps with a search for a common
// concrete path, for all templates of up to three segments from a, b and *,
// with or without one "**" anywhere among them. In a shortest common path
// every segment is matched by a segment other than "**" of one template or
// the other (when both match it with their "**", it can be dropped), so a
// common path, if any, has at most six segments; they can be taken from a,
// b and c.
func TestOverlapsBruteForce(t *testing.T) {
	var templates []string
	var grow func(segs []string)
	grow = func(segs []string) {
		if len(segs) > 0 {
			templates = append(templates, "/"+strings.Join(segs, "/"))
		}
		for i := 0; i <= len(segs); i++ {
			with := slices.Insert(slices.Clone(segs), i, "**")
			templates = append(templates, "/"+strings.Join(with, "/"))
		}
		if len(segs) < 3 {
			for _, s := range []string{"a", "b", "*"} {
				grow(append(segs[:len(segs):len(segs)], s))
			}
		}
	}
	grow(nil)
	var paths [][]string
	var grow2 func(p []string)
	grow2 = func(p []string) {
		paths = append(paths, p)
		if len(p) < 6 {
			for _, s := range []string{"a", "b", "c"} {
				grow2(append(p[:len(p):len(p)], s))
			}
		}
	}
	grow2(nil)
	// matched[i] has bit k set when templates[i] matches paths[k].
	parsed := make([]*Template, len(templates))
	matched := make([][]uint64, len(templates))
	for i, ts := range templates {
		tmpl, err := Parse(ts)
		if err != nil {
			t.Fatalf("Parse(%q): %v", ts, err)
		}
		parsed[i] = tmpl
		matched[i] = make([]uint64, (len(paths)+63)/64)
		for k, p := range paths {
			if matches(tmpl.Segments, p) {
				matched[i][k/64] |= 1 << (k % 64)
			}
		}
	}
	for i := range templates {
		for j := range templates {
			want := false
			for w := range matched[i] {
				if matched[i][w]&matched[j][w] != 0 {
					want = true
					break
				}
			}
			if got := Overlaps(parsed[i], parsed[j]); got != want {
				t.Errorf("Overlaps(%q, %q) = %v, want %v", templates[i], templates[j], got, want)
			}
		}
	}
}
