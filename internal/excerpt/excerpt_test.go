package excerpt

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	short := strings.Repeat("a", Max)
	tests := []struct{ in, want, quoted string }{
		{"", "", `""`},
		{"GetBook", "GetBook", `"GetBook"`},
		{short, short, `"` + short + `"`},
		{short + "b", strings.Repeat("a", 48) + "… (65 bytes)", `"` + strings.Repeat("a", 48) + `…" (65 bytes)`},
		// A cut inside a rune goes back to its start: "é" is 2 bytes, so
		// byte 48 is the middle of the 25th.
		{"x" + strings.Repeat("é", 40), "x" + strings.Repeat("é", 23) + "… (81 bytes)", `"x` + strings.Repeat("é", 23) + `…" (81 bytes)`},
		// Control characters are quoted as Go quotes them.
		{"a\nb", "a\nb", `"a\nb"`},
	}
	for _, tt := range tests {
		if got := Plain(tt.in); got != tt.want {
			t.Errorf("Plain(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := Quote(tt.in); got != tt.quoted {
			t.Errorf("Quote(%q) = %s, want %s", tt.in, got, tt.quoted)
		}
		if got := Plain(tt.in); !utf8.ValidString(got) && utf8.ValidString(tt.in) {
			t.Errorf("Plain(%q) = %q cuts a rune", tt.in, got)
		}
	}
	if got := Plain(strings.Repeat("x", 1<<20)); len(got) > Max+32 {
		t.Errorf("excerpt of 1 MiB is %d bytes long", len(got))
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"aéb", 2, "a…"}, // byte 2 is inside "é": cut before it
		{"\xff\xff\xff\xff\xff", 4, "\xff\xff\xff\xff…"}, // no rune start: cut where asked
	}
	for _, tt := range tests {
		if got := Cut(tt.in, tt.n); got != tt.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
