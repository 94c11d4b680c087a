package plugin

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// protoError is a problem in the user's protos or in a file a parameter
// names, at a position.
type protoError struct {
	pos pos
	msg string
}

func (e *protoError) Error() string { return e.pos.String() + ": " + e.msg }

// errorList gathers every problem a run finds, so that one run reports
// them all, as protoc does.
type errorList []*protoError

func (l *errorList) add(p pos, format string, args ...any) {
	*l = append(*l, &protoError{pos: p, msg: fmt.Sprintf(format, args...)})
}

// err returns nil for an empty list, and otherwise one error whose message
// has a line per problem, sorted by file and position and each once, at
// most max of them (all when max is 0) and then a line that says how many
// more there are.
func (l errorList) err(max int) error {
	if len(l) == 0 {
		return nil
	}
	sorted := slices.Clone(l)
	slices.SortStableFunc(sorted, func(a, b *protoError) int {
		if c := a.pos.compare(b.pos); c != 0 {
			return c
		}
		return strings.Compare(a.msg, b.msg)
	})
	sorted = slices.CompactFunc(sorted, func(a, b *protoError) bool { return *a == *b })
	var b strings.Builder
	for i, e := range sorted {
		if max > 0 && i == max {
			fmt.Fprintf(&b, "\n... and %d more errors (max_errors=%d; max_errors=0 lists all)", len(sorted)-max, max)
			break
		}
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return errors.New(b.String())
}
