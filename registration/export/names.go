package export

import (
	"fmt"
	"slices"
	"strings"
)

// maxName is the longest name Backstage, Kubernetes and Consul's DNS
// interface accept: a DNS label's 63 characters.
const maxName = 63

// replaceRuns lowers s when lower is set, then replaces every run of
// characters that keep refuses with one '-', and trims what neither
// starts nor ends a name (trim).
func replaceRuns(s string, lower bool, keep, trim func(rune) bool) string {
	if lower {
		s = strings.ToLower(s)
	}
	var b strings.Builder
	dash := false
	for _, r := range s {
		if keep(r) {
			b.WriteRune(r)
			dash = false
			continue
		}
		if !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimFunc(b.String(), trim)
}

func isLowerAlnum(r rune) bool { return 'a' <= r && r <= 'z' || '0' <= r && r <= '9' }

func isAlnum(r rune) bool { return isLowerAlnum(r) || 'A' <= r && r <= 'Z' }

func notLowerAlnum(r rune) bool { return !isLowerAlnum(r) }

func notAlnum(r rune) bool { return !isAlnum(r) }

// DNSLabel is the name of a service in Kubernetes and Consul: its full
// name lowered, every run of characters other than a-z and 0-9 replaced
// by one "-", and "-" trimmed from both ends ("library.v1.LibraryService"
// becomes "library-v1-libraryservice"). It is an RFC 1035 label, as
// Kubernetes wants a Service's name: at most 63 characters, starting with
// a letter. With shorten, a name too long loses the leading components of
// the package, one at a time, until it fits, keeping at least the
// service's own name. A name that does not make a label is an error
// naming the service.
func DNSLabel(service string, shorten bool) (string, error) {
	name := replaceRuns(service, true, isLowerAlnum, notLowerAlnum)
	if shorten {
		name = shortened(service, name, func(s string) string { return replaceRuns(s, true, isLowerAlnum, notLowerAlnum) })
	}
	switch {
	case name == "":
		return "", fmt.Errorf("service %s: no letter or digit to make a name of", service)
	case len(name) > maxName:
		return "", fmt.Errorf("service %s: name %q is %d characters long, more than the %d of a DNS label%s", service, name, len(name), maxName, shortenHint(shorten))
	case name[0] < 'a' || name[0] > 'z':
		return "", fmt.Errorf("service %s: name %q does not start with a letter, as a DNS label must", service, name)
	}
	return name, nil
}

// shortened returns name, or when it is longer than maxName, the name
// that normalize makes of full without its leading dot-separated
// components, as few as make it fit; the last component always stays.
func shortened(full, name string, normalize func(string) string) string {
	parts := strings.Split(full, ".")
	for i := 1; len(name) > maxName && i < len(parts); i++ {
		name = normalize(strings.Join(parts[i:], "."))
	}
	return name
}

// shortenHint is what an error about a long name adds.
func shortenHint(shorten bool) string {
	if shorten {
		return ", even with --shorten-names"
	}
	return " (--shorten-names drops leading package components to fit)"
}

// EntityName is the name of a Backstage entity for a service, or for the
// target of a dependency: the name with every run of characters other than
// A-Z, a-z, 0-9, "-", "_" and "." replaced by one "-", and anything but a
// letter or digit trimmed from both ends. A service's full name is kept
// as it is ("library.v1.LibraryService"); a resource type loses its
// slash ("library.example.com/Book" becomes "library.example.com-Book").
// Backstage wants at most 63 characters; with shorten, a longer name
// loses leading dot-separated components as DNSLabel's does. A name still
// too long is an error naming it.
func EntityName(name string, shorten bool) (string, error) {
	keep := func(r rune) bool { return isAlnum(r) || r == '-' || r == '_' || r == '.' }
	normalize := func(s string) string { return replaceRuns(s, false, keep, notAlnum) }
	out := normalize(name)
	if shorten {
		out = shortened(name, out, normalize)
	}
	switch {
	case out == "":
		return "", fmt.Errorf("%s: no letter or digit to make a Backstage entity name of", name)
	case len(out) > maxName:
		return "", fmt.Errorf("entity name %q is %d characters long, more than Backstage's %d%s", out, len(out), maxName, shortenHint(shorten))
	}
	return out, nil
}

// Tags are a service's declared tags and capability names as tags, each
// lowered, every run of characters that the target refuses in a tag
// replaced by one "-", "-" trimmed from both ends, cut to 63 characters
// (and trimmed again); empty ones are left out, and the rest sorted, each
// once. Backstage keeps a-z, 0-9, "+" and "#" ("crud:library.example.com/Book"
// becomes "crud-library-example-com-book"); Consul keeps a-z and 0-9, so
// that a tag is a DNS label in Consul's DNS interface.
func Tags(names []string, target string) []string {
	keep := isLowerAlnum
	if target == Backstage {
		keep = func(r rune) bool { return isLowerAlnum(r) || r == '+' || r == '#' }
	}
	notKeep := func(r rune) bool { return !keep(r) }
	var tags []string
	for _, n := range names {
		t := replaceRuns(n, true, keep, notKeep)
		if len(t) > maxName {
			t = strings.TrimRightFunc(t[:maxName], notKeep)
		}
		if t != "" {
			tags = append(tags, t)
		}
	}
	slices.Sort(tags)
	return slices.Compact(tags)
}
