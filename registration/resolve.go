package registration

import (
	"slices"
	"strings"
)

// Owner is a service that acts on a resource type with a standard method,
// as ResolveOwner sees it.
type Owner struct {
	// Service is the owner's full name and Package its proto package.
	Service, Package string
	// DefaultHost is the owner's google.api.default_host, if any.
	DefaultHost string
	// Gets reports that the owner has a standard Get method on the type:
	// AIP-131 puts a resource's Get in the one service that owns it, so it
	// breaks a tie between owners that are otherwise alike.
	Gets bool
}

// ResolveOwner picks the owner of resourceType for a service of package
// from, among candidates, with these rules in order; the first rule that
// matches any candidate decides:
//
//  1. a candidate in the same package (ResolutionSamePackage);
//  2. a candidate in the same API and version (ResolutionSameAPI);
//  3. a candidate whose default host is the resource type's service name,
//     "pubsub.googleapis.com" for "pubsub.googleapis.com/Topic"
//     (ResolutionDefaultHost); among several, the one of the same version
//     as from, if there is exactly one;
//  4. the only candidate, when it has no default host (which rule 3 would
//     have matched) (ResolutionOnlyOwner).
//
// Rules 3 and 4 never credit another version of from's own API: a v2
// service that refers to a resource only v2alpha serves stays unresolved,
// with the v2alpha owner as a candidate.
//
// Within a rule, several matches are narrowed to those with a Get method.
// When that leaves one, it is returned with the rule; otherwise the result
// is ResolutionUnresolved with the matches of the deciding rule (or every
// candidate when no rule matched) as the ambiguous set, sorted. Rule 2 comes
// before rule 3, and rule 3 leaves other versions out, so that another
// version of the same API is never credited. Candidates' order does not
// matter.
func ResolveOwner(from, resourceType string, candidates []Owner) (owner, rule string, ambiguous []string) {
	host, _, _ := strings.Cut(resourceType, "/")
	api := APIVersion(from)
	version := PackageVersion(from)
	// otherVersion reports an owner of another version of from's own API,
	// which rules 3 and 4 never credit: a v2 service that refers to a
	// resource only v2alpha serves does not depend on v2alpha.
	otherVersion := func(o Owner) bool {
		base := APIBase(o.Package)
		return base != "" && base == APIBase(from) && APIVersion(o.Package) != api
	}
	rules := []struct {
		name  string
		match func(Owner) bool
	}{
		{ResolutionSamePackage, func(o Owner) bool { return o.Package == from }},
		{ResolutionSameAPI, func(o Owner) bool { return api != "" && APIVersion(o.Package) == api }},
		{ResolutionDefaultHost, func(o Owner) bool { return o.DefaultHost != "" && o.DefaultHost == host && !otherVersion(o) }},
	}
	for _, r := range rules {
		var matched []Owner
		for _, c := range candidates {
			if r.match(c) {
				matched = append(matched, c)
			}
		}
		if len(matched) == 0 {
			continue
		}
		if o, ok := single(matched, func(o Owner) bool { return true }); ok {
			return o.Service, r.name, nil
		}
		if o, ok := single(matched, func(o Owner) bool { return o.Gets }); ok {
			return o.Service, r.name, nil
		}
		if r.name == ResolutionDefaultHost && version != "" {
			if o, ok := single(matched, func(o Owner) bool { return PackageVersion(o.Package) == version }); ok {
				return o.Service, r.name, nil
			}
		}
		return "", ResolutionUnresolved, names(matched)
	}
	if len(candidates) == 1 {
		if o := candidates[0]; o.DefaultHost == "" && !otherVersion(o) {
			return o.Service, ResolutionOnlyOwner, nil
		}
	}
	return "", ResolutionUnresolved, names(candidates)
}

// single returns the one owner that keep accepts, if there is exactly one.
func single(owners []Owner, keep func(Owner) bool) (Owner, bool) {
	var found Owner
	n := 0
	for _, o := range owners {
		if keep(o) {
			found = o
			n++
		}
	}
	return found, n == 1
}

// names returns the owners' service names, sorted and each once.
func names(owners []Owner) []string {
	out := make([]string, 0, len(owners))
	for _, o := range owners {
		out = append(out, o.Service)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PackageVersion returns the version component of a package name: the
// last component that is "v" and a number, optionally followed by letters
// and digits ("v1", "v2alpha", "v1beta2", "v1p1beta1", "v1test2",
// "v1small"), or "".
func PackageVersion(pkg string) string {
	_, v := splitVersion(pkg)
	return v
}

// APIVersion returns a package up to and including its version component,
// the API and version it belongs to: "google.cloud.aiplatform.v1" for
// "google.cloud.aiplatform.v1.schema.predict.instance". It is "" for a
// package without a version.
func APIVersion(pkg string) string {
	base, v := splitVersion(pkg)
	if v == "" {
		return ""
	}
	if base == "" {
		return v
	}
	return base + "." + v
}

// APIBase returns a package up to its version component, the API without
// its version: "google.cloud.kms" for "google.cloud.kms.v1". Packages of
// two versions of one API share it. It is "" for a package without a
// version.
func APIBase(pkg string) string {
	base, v := splitVersion(pkg)
	if v == "" {
		return ""
	}
	return base
}

// splitVersion splits pkg around its last version component.
func splitVersion(pkg string) (base, version string) {
	parts := strings.Split(pkg, ".")
	for i := len(parts) - 1; i >= 0; i-- {
		if IsVersion(parts[i]) {
			return strings.Join(parts[:i], "."), parts[i]
		}
	}
	return "", ""
}

// IsVersion reports whether s is a version component of a package: "v",
// digits, and then optionally a lower-case letter followed by lower-case
// letters and digits ("v1", "v1beta2", "v1p1beta1", "v1test2").
func IsVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' || !isDigit(s[1]) {
		return false
	}
	i := 2
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == len(s) {
		return true
	}
	if s[i] < 'a' || s[i] > 'z' {
		return false
	}
	for ; i < len(s); i++ {
		if !isDigit(s[i]) && (s[i] < 'a' || s[i] > 'z') {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// ResolveDependencies finishes, across the given services, the resolution
// of resource dependencies that each proto file alone left unresolved: the
// owners are the services among them with a standard method on the
// resource type (Method.Kind other than custom, Method.Resource set), and
// ResolveOwner's rules pick one. A dependency resolved this way names its
// target and says AcrossFiles; one that stays unresolved lists the
// candidates. The aggregate output and registration-graph call it, each
// over every service it reads. Dependencies are sorted again afterwards.
func ResolveDependencies(services []*Service) {
	owners := make(map[string][]Owner)
	for _, s := range services {
		if s == nil {
			continue
		}
		byType := make(map[string]int) // resource type -> index in owners[type] of s
		for _, m := range s.Methods {
			if m == nil || m.Resource == nil || m.Kind == KindCustom || m.Kind == "" {
				continue
			}
			t := m.Resource.Type
			if i, ok := byType[t]; ok {
				owners[t][i].Gets = owners[t][i].Gets || m.Kind == KindGet
				continue
			}
			byType[t] = len(owners[t])
			owners[t] = append(owners[t], Owner{Service: s.Name, Package: s.Package, DefaultHost: s.DefaultHost, Gets: m.Kind == KindGet})
		}
	}
	for _, s := range services {
		if s == nil {
			continue
		}
		changed := false
		for _, d := range s.Dependencies {
			if d == nil || d.Kind != DependencyResource || d.Resolution != ResolutionUnresolved || d.ResourceType == "" {
				continue
			}
			var cands []Owner
			self := false
			for _, o := range owners[d.ResourceType] {
				if o.Service == s.Name {
					self = true
				}
				cands = append(cands, o)
			}
			if self || len(cands) == 0 {
				continue // its own resource after all, or no owner anywhere
			}
			owner, rule, ambiguous := ResolveOwner(s.Package, d.ResourceType, cands)
			if owner == "" {
				d.Candidates = ambiguous
				continue
			}
			d.Service, d.External, d.Resolution, d.AcrossFiles, d.Candidates = owner, false, rule, true, nil
			changed = true
		}
		if changed {
			SortDependencies(s.Dependencies)
		}
	}
}

// SortDependencies sorts dependencies by target, kind and resource type,
// the order the plugin writes them in.
func SortDependencies(deps []*Dependency) {
	slices.SortStableFunc(deps, func(a, b *Dependency) int {
		if a == nil || b == nil {
			return 0
		}
		if c := strings.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		if c := strings.Compare(a.Kind, b.Kind); c != 0 {
			return c
		}
		return strings.Compare(a.ResourceType, b.ResourceType)
	})
}
