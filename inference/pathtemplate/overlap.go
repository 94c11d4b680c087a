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
	// ok[i][j] reports whether x[i:] and y[j:] match a common sequence of
	// concrete segments. Every step below moves to a larger i or j, so the
	// table is filled from the end in O(len(x)*len(y)) time.
	ok := make([][]bool, len(x)+1)
	for i := range ok {
		ok[i] = make([]bool, len(y)+1)
	}
	for i := len(x); i >= 0; i-- {
		for j := len(y); j >= 0; j-- {
			switch {
			case i == len(x) && j == len(y):
				ok[i][j] = true
			case i < len(x) && x[i].Kind == DeepWildcard && ok[i+1][j]:
				ok[i][j] = true // x's "**" matches no more segments
			case j < len(y) && y[j].Kind == DeepWildcard && ok[i][j+1]:
				ok[i][j] = true // y's "**" matches no more segments
			case i < len(x) && j < len(y) && compatible(x[i], y[j]):
				// Both match one concrete segment; a "**" stays in
				// place to match more. When both stay, nothing is
				// gained, so that step is skipped.
				ni, nj := i+1, j+1
				if x[i].Kind == DeepWildcard {
					ni = i
				}
				if y[j].Kind == DeepWildcard {
					nj = j
				}
				ok[i][j] = (ni != i || nj != j) && ok[ni][nj]
			}
		}
	}
	return ok[0][0]
}

// compatible reports whether some concrete segment is matched by both s
// and t.
func compatible(s, t Segment) bool {
	return s.Kind != Literal || t.Kind != Literal || s.Value == t.Value
}
