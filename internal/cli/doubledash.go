package cli

import (
	"strings"

	"github.com/spf13/pflag"
)

// DoubleDash rewrites the single-dash spellings of long flags ("-addr",
// "-timeout=1s") that the standard flag package accepted, and that
// the project's binaries accepted before they moved to the shared grammar, as
// their double-dash spellings, so that scripts keep working: pflag would
// read "-addr" as the shorthands -a -d -d -r. Only arguments in a flag's
// place are rewritten, never a flag's value ("--header -x") or anything
// after "--", and only names of long flags of fs, or "help" and "version",
// which cobra adds when it runs.
func DoubleDash(fs *pflag.FlagSet, args []string) []string {
	long := func(name string) *pflag.Flag {
		if len(name) < 2 {
			return nil // a shorthand
		}
		if f := fs.Lookup(name); f != nil {
			return f
		}
		if name == "help" || name == "version" {
			return &pflag.Flag{Name: name, NoOptDefVal: "true"}
		}
		return nil
	}
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			out = append(out, a)
			continue
		}
		var f *pflag.Flag
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch {
		case a[1] == '-':
			f = long(name)
		case len(name) == 1:
			f = fs.ShorthandLookup(name)
		default:
			if f = long(name); f != nil {
				a = "-" + a
			}
		}
		out = append(out, a)
		// A flag that takes a value and has none after "=" takes the next
		// argument, whatever it looks like.
		if f != nil && !hasValue && f.NoOptDefVal == "" && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}
