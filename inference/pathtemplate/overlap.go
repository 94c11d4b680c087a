package pathtemplate

// Overlaps reports whether some concrete request path is matched by both
// templates. Templates with different verbs never overlap. "*" matches
// exactly one segment, "**" zero or more, and a literal matches exactly its
// own text (percent-encodings are compared as written, so "%2F" and "%2f"
// are different literals). A nil template overlaps nothing.
func Overlaps(a, b *Template) bool {
	if a == nil || b == nil || a.Verb != b.Verb {
		return false
	}
	x, y := a.Segments, b.Segments
	// ok(i, j) reports whether x[i:] and y[j:] match a common sequence of
	// concrete segments. Every step below moves to a larger i or j, so the
	// table is filled from the end in O(len(x)*len(y)) time. Row i needs
	// only itself and row i+1, so two rows are kept; for the short
	// templates of real APIs they live on the stack, as conflict detection
	// calls Overlaps often.
	var buf [2 * 32]bool
	var cur, next []bool
	if n := len(y) + 1; n <= len(buf)/2 {
		cur, next = buf[:n], buf[n:2*n]
	} else {
		cur, next = make([]bool, n), make([]bool, n)
	}
	for i := len(x); i >= 0; i-- {
		for j := len(y); j >= 0; j-- {
			var ok bool
			switch {
			case i == len(x) && j == len(y):
				ok = true
			case i < len(x) && x[i].Kind == DeepWildcard && next[j]:
				ok = true // x's "**" matches no more segments
			case j < len(y) && y[j].Kind == DeepWildcard && cur[j+1]:
				ok = true // y's "**" matches no more segments
			case i < len(x) && j < len(y) && compatible(x[i], y[j]):
				// Both match one concrete segment; a "**" stays in
				// place to match more. When both stay, nothing is
				// gained, so that step is skipped.
				xStays, yStays := x[i].Kind == DeepWildcard, y[j].Kind == DeepWildcard
				switch {
				case xStays && yStays:
				case xStays:
					ok = cur[j+1]
				case yStays:
					ok = next[j]
				default:
					ok = next[j+1]
				}
			}
			cur[j] = ok
		}
		cur, next = next, cur
	}
	return next[0]
}

// compatible reports whether some concrete segment is matched by both s
// and t.
func compatible(s, t Segment) bool {
	return s.Kind != Literal || t.Kind != Literal || s.Value == t.Value
}
