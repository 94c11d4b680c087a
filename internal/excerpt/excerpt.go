// Package excerpt shortens user-given values that error messages quote, so
// that a message stays one readable line whatever the input: a parameter, a
// YAML value or a path template of a megabyte is quoted by its first bytes
// and its length.
package excerpt

import (
	"strconv"
	"unicode/utf8"
)

const (
	// Max is the length up to which a value is quoted whole.
	Max = 64
	// keep is how many bytes of a longer value are quoted: enough to
	// recognise it, with the message still on one line.
	keep = 48
)

// Plain returns s, or when it is longer than Max bytes its first bytes (cut
// at a rune boundary) followed by "…" and its length:
// "library.v1.LibraryService.GetBookWithAVeryLong… (300 bytes)".
func Plain(s string) string {
	cut, ok := cutLong(s)
	if !ok {
		return s
	}
	return cut + "… (" + strconv.Itoa(len(s)) + " bytes)"
}

// Quote is Plain for values that messages quote: the cut value in Go
// quotes, its length outside them, "\"library.v1.Li…\" (300 bytes)".
func Quote(s string) string {
	cut, ok := cutLong(s)
	if !ok {
		return strconv.Quote(s)
	}
	return strconv.Quote(cut+"…") + " (" + strconv.Itoa(len(s)) + " bytes)"
}

// Cut returns s, or its first n bytes (cut back to a rune boundary) and
// "…" when it is longer.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return RuneStart(s, n) + "…"
}

// RuneStart returns s[:n] with n moved back, by at most utf8.UTFMax-1
// bytes, to the start of a rune: invalid UTF-8 may have no rune start and
// is cut anywhere.
func RuneStart(s string, n int) string {
	for i := 1; i < utf8.UTFMax && n > 0 && n < len(s) && !utf8.RuneStart(s[n]); i++ {
		n--
	}
	return s[:n]
}

func cutLong(s string) (string, bool) {
	if len(s) <= Max {
		return s, false
	}
	return RuneStart(s, keep), true
}
