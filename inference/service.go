package inference

import (
	"cmp"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ovasabi/protoc-gen-registration/internal/parallel"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Index holds the request-wide facts that describing a service needs: the
// facts of every method, the services that act on each resource type, the
// messages that declare each resource type, and the services of each file
// and package. Every question asked of it is answered as one file sees the
// request (the file and its imports), so that a file's registration never
// depends on what else the request holds or on its order.
type Index struct {
	resolver  Resolver
	visible   *visibility
	infra     []string
	methods   map[protoreflect.FullName]MethodFacts
	owners    map[string][]owner                                         // by resource type, sorted by service name
	resources map[string][]protoreflect.MessageDescriptor                // by resource type, sorted by full name
	byFile    map[string][]protoreflect.ServiceDescriptor                // in declaration order
	byPackage map[protoreflect.FullName][]protoreflect.ServiceDescriptor // sorted by full name
	packages  map[protoreflect.FullName][]protoreflect.FileDescriptor
}

// owner is a service that acts on a resource type with a standard method.
type owner struct {
	service protoreflect.ServiceDescriptor
	gets    bool // it has a standard Get on the type
}

// NewIndex indexes files, every file of a request, in any order. Packages
// under an entry of infra (the entry itself or a package below it) are
// shared infrastructure: their messages are not schema dependencies.
func NewIndex(files []protoreflect.FileDescriptor, r Resolver, infra []string) *Index {
	ix := &Index{
		resolver:  r,
		visible:   newVisibility(files),
		infra:     infra,
		methods:   make(map[protoreflect.FullName]MethodFacts),
		owners:    make(map[string][]owner),
		resources: make(map[string][]protoreflect.MessageDescriptor),
		byFile:    make(map[string][]protoreflect.ServiceDescriptor),
		byPackage: make(map[protoreflect.FullName][]protoreflect.ServiceDescriptor),
		packages:  make(map[protoreflect.FullName][]protoreflect.FileDescriptor),
	}
	var all []protoreflect.MethodDescriptor
	for _, fd := range files {
		ix.packages[fd.Package()] = append(ix.packages[fd.Package()], fd)
		ix.indexMessages(fd.Messages())
		services := fd.Services()
		for i := range services.Len() {
			sd := services.Get(i)
			ix.byFile[fd.Path()] = append(ix.byFile[fd.Path()], sd)
			ix.byPackage[fd.Package()] = append(ix.byPackage[fd.Package()], sd)
			methods := sd.Methods()
			for j := range methods.Len() {
				all = append(all, methods.Get(j))
			}
		}
	}
	// Describing a method reads only its descriptors and what its file
	// sees, so the methods are described on every processor.
	facts := make([]MethodFacts, len(all))
	parallel.For(len(all), func(i int) {
		facts[i] = DescribeMethod(all[i], scopedResolver{r: r, v: ix.visible, from: all[i].ParentFile()})
	})
	for i, md := range all {
		ix.methods[md.FullName()] = facts[i]
		f := facts[i]
		if f.Kind == registration.KindCustom || f.Resource == nil || Excluded(md) {
			continue
		}
		sd := md.Parent().(protoreflect.ServiceDescriptor)
		list := ix.owners[f.Resource.Type]
		if n := len(list); n > 0 && list[n-1].service == sd {
			list[n-1].gets = list[n-1].gets || f.Kind == registration.KindGet
			continue
		}
		ix.owners[f.Resource.Type] = append(list, owner{service: sd, gets: f.Kind == registration.KindGet})
	}
	// The maps' slices were filled in request order: sort them so that
	// nothing below depends on it.
	for _, list := range ix.owners {
		slices.SortFunc(list, func(a, b owner) int {
			return strings.Compare(string(a.service.FullName()), string(b.service.FullName()))
		})
	}
	for _, list := range ix.resources {
		slices.SortFunc(list, func(a, b protoreflect.MessageDescriptor) int {
			return strings.Compare(string(a.FullName()), string(b.FullName()))
		})
	}
	for _, list := range ix.byPackage {
		slices.SortFunc(list, func(a, b protoreflect.ServiceDescriptor) int {
			return strings.Compare(string(a.FullName()), string(b.FullName()))
		})
	}
	return ix
}

func (ix *Index) indexMessages(msgs protoreflect.MessageDescriptors) {
	for i := range msgs.Len() {
		md := msgs.Get(i)
		if t := messageResource(md); t != "" {
			ix.resources[t] = append(ix.resources[t], md)
		}
		ix.indexMessages(md.Messages())
	}
}

// infrastructure reports whether pkg is shared infrastructure.
func (ix *Index) infrastructure(pkg protoreflect.FullName) bool {
	return InPackages(string(pkg), ix.infra)
}

// InPackages reports whether pkg is one of packages or lies below one:
// "google.type" holds "google.type" and "google.type.calendar", not
// "google.typeface".
func InPackages(pkg string, packages []string) bool {
	for _, p := range packages {
		if pkg == p || strings.HasPrefix(pkg, p) && pkg[len(p)] == '.' {
			return true
		}
	}
	return false
}

// visibleServices returns the services of package pkg that file from sees,
// sorted by full name.
func (ix *Index) visibleServices(from protoreflect.FileDescriptor, pkg protoreflect.FullName) []protoreflect.ServiceDescriptor {
	var out []protoreflect.ServiceDescriptor
	for _, sd := range ix.byPackage[pkg] {
		if ix.visible.sees(from, sd.ParentFile()) {
			out = append(out, sd)
		}
	}
	return out
}

// resolveOwner finds the owner of resource type t for service sd, among
// the owners sd's file sees, with registration.ResolveOwner's rules. self
// reports that sd owns t itself.
func (ix *Index) resolveOwner(sd protoreflect.ServiceDescriptor, t string) (target protoreflect.ServiceDescriptor, rule string, candidates []string, self bool) {
	from := sd.ParentFile()
	var cands []registration.Owner
	byName := make(map[string]protoreflect.ServiceDescriptor)
	for _, o := range ix.owners[t] {
		if o.service == sd {
			return nil, "", nil, true
		}
		if !ix.visible.sees(from, o.service.ParentFile()) {
			continue
		}
		name := string(o.service.FullName())
		byName[name] = o.service
		cands = append(cands, registration.Owner{Service: name, Package: string(o.service.ParentFile().Package()), DefaultHost: DefaultHost(o.service), Gets: o.gets})
	}
	name, rule, ambiguous := registration.ResolveOwner(string(sd.ParentFile().Package()), t, cands)
	return byName[name], rule, ambiguous, false
}

// Method returns the facts of a method of the indexed files.
func (ix *Index) Method(md protoreflect.MethodDescriptor) MethodFacts {
	if f, ok := ix.methods[md.FullName()]; ok {
		return f
	}
	return DescribeMethod(md, scopedResolver{r: ix.resolver, v: ix.visible, from: md.ParentFile()})
}

// ServiceFacts are what can be said about a service from its methods and
// the rest of the request.
type ServiceFacts struct {
	Capabilities []*registration.Capability
	Dependencies []*registration.Dependency
	Events       []*registration.Event
	MessageTypes []string
}

// CapabilityRule maps methods to a capability. A method matches when its
// kind is among Kinds (if any are given) and its name matches one of
// Methods (globs as path.Match reads them, against the short name, or
// against the full name when the pattern has a dot) or Regexp (against the
// full name).
type CapabilityRule struct {
	Capability string
	Methods    []string
	Regexp     *regexp.Regexp
	Kinds      []string
}

func (r CapabilityRule) matches(md protoreflect.MethodDescriptor, kind string) bool {
	if len(r.Kinds) > 0 && !slices.Contains(r.Kinds, kind) {
		return false
	}
	for _, p := range r.Methods {
		name := string(md.Name())
		if strings.Contains(p, ".") {
			name = string(md.FullName())
		}
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return r.Regexp != nil && r.Regexp.MatchString(string(md.FullName()))
}

// OptionError is a problem with a registration option of a service. Field
// is the option's field number and Index the element of a repeated field, so
// that the caller can say where it was written.
type OptionError struct {
	Service protoreflect.ServiceDescriptor
	Field   int32
	Index   int
	Msg     string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("service %s: option (registration.v1.service): %s", e.Service.FullName(), e.Msg)
}

// DescribeService infers a service's capabilities, dependencies, events and
// the message types it uses from methods, the methods the registration
// keeps, in declaration order; rules add capabilities, and the service's
// and methods' registration options add declared facts.
func (ix *Index) DescribeService(sd protoreflect.ServiceDescriptor, methods []protoreflect.MethodDescriptor, rules []CapabilityRule) (ServiceFacts, error) {
	var f ServiceFacts
	f.Capabilities = ix.capabilities(methods, rules)
	f.Events = ix.events(sd, methods)
	deps, types := ix.schema(sd, methods)
	declared, err := ix.declaredDependencies(sd)
	if err != nil {
		return f, err
	}
	f.Dependencies = mergeDependencies(append(deps, declared...))
	f.MessageTypes = types
	opts := ServiceOptions(sd)
	for _, c := range opts.GetCapabilities() {
		f.Capabilities = append(f.Capabilities, &registration.Capability{Name: c, Source: registration.SourceDeclared})
	}
	for _, md := range methods {
		for _, c := range MethodOptions(md).GetCapabilities() {
			f.Capabilities = append(f.Capabilities, &registration.Capability{Name: c, Source: registration.SourceDeclared, Methods: []string{string(md.Name())}})
		}
	}
	f.Capabilities = mergeCapabilities(f.Capabilities)
	return f, nil
}

// capabilities infers capabilities from method kinds and applies rules.
func (ix *Index) capabilities(methods []protoreflect.MethodDescriptor, rules []CapabilityRule) []*registration.Capability {
	var caps []*registration.Capability
	add := func(name, source string, md protoreflect.MethodDescriptor) {
		for _, c := range caps {
			if c.Name == name && c.Source == source {
				c.Methods = append(c.Methods, string(md.Name()))
				return
			}
		}
		caps = append(caps, &registration.Capability{Name: name, Source: source, Methods: []string{string(md.Name())}})
	}
	// Per resource, the kinds of the standard methods acting on it, in the
	// order resources first appear.
	var resources []string
	kinds := make(map[string][]string)
	readOnly := len(methods) > 0
	for _, md := range methods {
		facts := ix.Method(md)
		if facts.Resource != nil && facts.Kind != registration.KindCustom {
			t := facts.Resource.Type
			if _, seen := kinds[t]; !seen {
				resources = append(resources, t)
			}
			kinds[t] = append(kinds[t], facts.Kind)
		}
		readOnly = readOnly && facts.ReadOnly
		if md.IsStreamingClient() || md.IsStreamingServer() {
			add("streaming", registration.SourceInferred, md)
		}
		if facts.LongRunning != nil {
			add("long_running", registration.SourceInferred, md)
		}
		switch facts.Kind {
		case registration.KindSearch, registration.KindWatch, registration.KindImport, registration.KindExport:
			add(facts.Kind, registration.SourceInferred, md)
		case registration.KindBatchGet, registration.KindBatchCreate, registration.KindBatchUpdate, registration.KindBatchDelete:
			add("batch", registration.SourceInferred, md)
		}
		for _, r := range rules {
			if r.matches(md, facts.Kind) {
				add(r.Capability, registration.SourceRule, md)
			}
		}
	}
	for _, t := range resources {
		k := kinds[t]
		name := "write:" + t
		switch {
		case slices.Contains(k, registration.KindCreate) && slices.Contains(k, registration.KindGet) &&
			slices.Contains(k, registration.KindUpdate) && slices.Contains(k, registration.KindDelete):
			name = "crud:" + t
		case !slices.ContainsFunc(k, isMutation):
			name = "read:" + t
		}
		for _, md := range methods {
			if facts := ix.Method(md); facts.Resource != nil && facts.Resource.Type == t && facts.Kind != registration.KindCustom {
				add(name, registration.SourceInferred, md)
			}
		}
	}
	if readOnly {
		for _, md := range methods {
			add("read_only", registration.SourceInferred, md)
		}
	}
	return caps
}

func isMutation(kind string) bool {
	switch kind {
	case registration.KindCreate, registration.KindUpdate, registration.KindDelete,
		registration.KindBatchCreate, registration.KindBatchUpdate, registration.KindBatchDelete, registration.KindImport:
		return true
	}
	return false
}

// mergeCapabilities sorts capabilities by name, then source, merging
// entries with both in common.
func mergeCapabilities(caps []*registration.Capability) []*registration.Capability {
	slices.SortStableFunc(caps, func(a, b *registration.Capability) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Source, b.Source))
	})
	var out []*registration.Capability
	for _, c := range caps {
		if n := len(out); n > 0 && out[n-1].Name == c.Name && out[n-1].Source == c.Source {
			for _, m := range c.Methods {
				if !slices.Contains(out[n-1].Methods, m) {
					out[n-1].Methods = append(out[n-1].Methods, m)
				}
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// events infers the domain events of mutating standard methods on a
// resource and adds the declared ones.
func (ix *Index) events(sd protoreflect.ServiceDescriptor, methods []protoreflect.MethodDescriptor) []*registration.Event {
	var events []*registration.Event
	for _, md := range methods {
		facts := ix.Method(md)
		var suffix string
		switch facts.Kind {
		case registration.KindCreate, registration.KindBatchCreate:
			suffix = "created"
		case registration.KindUpdate, registration.KindBatchUpdate:
			suffix = "updated"
		case registration.KindDelete, registration.KindBatchDelete:
			suffix = "deleted"
		}
		if suffix != "" && facts.Resource != nil {
			events = append(events, &registration.Event{
				Name:   ix.resourceEventPrefix(facts.Resource.Type, md) + "." + suffix,
				Method: string(md.FullName()),
				Source: registration.SourceInferred,
			})
		}
		for _, e := range MethodOptions(md).GetEvents() {
			events = append(events, &registration.Event{Name: e, Method: string(md.FullName()), Source: registration.SourceDeclared})
		}
	}
	for _, e := range ServiceOptions(sd).GetEvents() {
		events = append(events, &registration.Event{Name: e, Source: registration.SourceDeclared})
	}
	slices.SortStableFunc(events, func(a, b *registration.Event) int {
		return cmp.Or(strings.Compare(a.Name, b.Name), strings.Compare(a.Method, b.Method), strings.Compare(a.Source, b.Source))
	})
	return slices.CompactFunc(events, func(a, b *registration.Event) bool { return *a == *b })
}

// resourceEventPrefix names a resource in an event: the full name of the
// message that declares the resource type in the service's own package, or
// else in its API and version, among the messages its file sees; failing
// those, the type's last part in the method's package. A message of another
// API or version is never used: pubsub's CreateTopic emits
// google.pubsub.v1.Topic.created, whichever other API also declares a
// message for "pubsub.googleapis.com/Topic".
func (ix *Index) resourceEventPrefix(typ string, md protoreflect.MethodDescriptor) string {
	from, pkg := md.ParentFile(), md.ParentFile().Package()
	api := registration.APIVersion(string(pkg))
	var sameAPI protoreflect.MessageDescriptor
	for _, m := range ix.resources[typ] {
		if !ix.visible.sees(from, m.ParentFile()) {
			continue
		}
		switch p := m.ParentFile().Package(); {
		case p == pkg:
			return string(m.FullName())
		case sameAPI == nil && api != "" && registration.APIVersion(string(p)) == api:
			sameAPI = m
		}
	}
	if sameAPI != nil {
		return string(sameAPI.FullName())
	}
	if i := strings.LastIndex(typ, "/"); i >= 0 {
		return string(pkg.Append(protoreflect.Name(typ[i+1:])))
	}
	return typ // an inferred resource is already a message's full name
}

// schema follows the messages of a service's methods through their fields
// and returns the resource and schema dependencies found on the way and the
// full names of the messages visited, sorted.
//
// Only direct dependencies are recorded. The walk goes through the
// service's own package, shared infrastructure and packages without a
// service the file can see; a message of any other package is a schema
// edge to that package's services, and the walk stops there: what that
// message uses is its own package's dependency, which the graph follows.
// So a registration grows with the service, not with everything reachable
// from it.
func (ix *Index) schema(sd protoreflect.ServiceDescriptor, methods []protoreflect.MethodDescriptor) ([]*registration.Dependency, []string) {
	from, pkg := sd.ParentFile(), sd.ParentFile().Package()
	var deps []*registration.Dependency
	visited := make(map[protoreflect.FullName]bool)
	var types []string
	var queue []protoreflect.MessageDescriptor
	// boundary caches, per package, whether the walk stops there: whether it
	// is another package with services this file sees.
	boundary := make(map[protoreflect.FullName]bool)
	isBoundary := func(p protoreflect.FullName) bool {
		b, ok := boundary[p]
		if !ok {
			b = p != pkg && !ix.infrastructure(p) && len(ix.visibleServices(from, p)) > 0
			boundary[p] = b
		}
		return b
	}
	visit := func(m protoreflect.MessageDescriptor, evidence string) {
		p := m.ParentFile().Package()
		stop := isBoundary(p)
		if stop {
			deps = append(deps, ix.schemaEdges(sd, m, evidence)...)
		}
		if visited[m.FullName()] {
			return
		}
		visited[m.FullName()] = true
		if !m.IsMapEntry() {
			types = append(types, string(m.FullName()))
		}
		if !stop {
			queue = append(queue, m)
		}
	}
	for _, md := range methods {
		visit(md.Input(), string(md.FullName()))
		visit(md.Output(), string(md.FullName()))
	}
	for len(queue) > 0 {
		m := queue[0]
		queue = queue[1:]
		fields := m.Fields()
		for i := range fields.Len() {
			f := fields.Get(i)
			// Resource references count where the service's own package
			// makes them; those inside another package's messages are that
			// package's dependencies.
			if t, _ := fieldReference(f); t != "" && m.ParentFile().Package() == pkg {
				if d := ix.resourceDependency(sd, t, string(f.FullName())); d != nil {
					deps = append(deps, d)
				}
			}
			if sub := f.Message(); sub != nil {
				visit(sub, string(f.FullName()))
			}
		}
	}
	slices.Sort(types)
	return deps, types
}

// schemaEdges are the edges from sd to the services behind message m of
// another package: the owner of m's resource type when one is resolved,
// else the services of m's file, else those of its package that sd's file
// sees.
func (ix *Index) schemaEdges(sd protoreflect.ServiceDescriptor, m protoreflect.MessageDescriptor, evidence string) []*registration.Dependency {
	var targets []protoreflect.ServiceDescriptor
	if t := messageResource(m); t != "" {
		if owner, _, _, self := ix.resolveOwner(sd, t); owner != nil {
			targets = []protoreflect.ServiceDescriptor{owner}
		} else if self {
			return nil
		}
	}
	if len(targets) == 0 {
		if targets = ix.byFile[m.ParentFile().Path()]; len(targets) == 0 {
			targets = ix.visibleServices(sd.ParentFile(), m.ParentFile().Package())
		}
	}
	deps := make([]*registration.Dependency, 0, len(targets))
	for _, t := range targets {
		if t == sd {
			continue
		}
		deps = append(deps, &registration.Dependency{Service: string(t.FullName()), Kind: registration.DependencySchema, Evidence: []string{evidence}})
	}
	return deps
}

// resourceDependency is the edge from sd to the owner of resource type t,
// found with registration.ResolveOwner among the services sd's file sees;
// none when sd owns t itself. When no owner is visible, or several are and
// no rule picks one, the edge is on the type itself, unresolved, with the
// candidates: the aggregate output and registration-graph, which read
// several files, finish the resolution.
func (ix *Index) resourceDependency(sd protoreflect.ServiceDescriptor, t, evidence string) *registration.Dependency {
	owner, rule, candidates, self := ix.resolveOwner(sd, t)
	switch {
	case self:
		return nil
	case owner != nil:
		return &registration.Dependency{Service: string(owner.FullName()), Kind: registration.DependencyResource,
			ResourceType: t, Resolution: rule, Evidence: []string{evidence}}
	case len(candidates) == 0 && ix.declaredIn(sd.ParentFile(), t):
		// A type of the service's own package that no service owns is not
		// a dependency on anything: AcknowledgeRequest's notification in
		// the notification service's own package.
		return nil
	}
	return &registration.Dependency{Service: t, Kind: registration.DependencyResource, External: true,
		ResourceType: t, Resolution: registration.ResolutionUnresolved, Candidates: candidates, Evidence: []string{evidence}}
}

// declaredDependencies reads the dependencies a service's options declare.
// A service of a package the file sees must exist, with every method
// named; one of a package the file does not see is external.
func (ix *Index) declaredDependencies(sd protoreflect.ServiceDescriptor) ([]*registration.Dependency, error) {
	const dependenciesField = 2
	var deps []*registration.Dependency
	for i, d := range ServiceOptions(sd).GetDependencies() {
		name := protoreflect.FullName(d.GetService())
		fail := func(format string, args ...any) error {
			return &OptionError{Service: sd, Field: dependenciesField, Index: i, Msg: fmt.Sprintf("dependencies[%d]: ", i) + fmt.Sprintf(format, args...)}
		}
		if !name.IsValid() {
			return nil, fail("service %q is not a full name", name)
		}
		// The evidence is the methods called, or the option when it names
		// none.
		evidence := []string{"option (registration.v1.service).dependencies"}
		if len(d.GetMethods()) > 0 {
			evidence = evidence[:0]
			for _, m := range d.GetMethods() {
				evidence = append(evidence, string(name.Append(protoreflect.Name(m))))
			}
		}
		from := sd.ParentFile()
		desc, err := scopedResolver{r: ix.resolver, v: ix.visible, from: from}.FindDescriptorByName(name)
		target, isService := desc.(protoreflect.ServiceDescriptor)
		switch {
		case err == nil && isService:
			for _, m := range d.GetMethods() {
				if target.Methods().ByName(protoreflect.Name(m)) == nil {
					return nil, fail("service %s has no method %q", name, m)
				}
			}
		case err == nil:
			return nil, fail("%s is not a service", name)
		case ix.seesPackage(from, name.Parent()):
			return nil, fail("no service %s in package %s", name.Name(), name.Parent())
		default:
			deps = append(deps, &registration.Dependency{Service: string(name), Kind: registration.DependencyDeclared, External: true, Evidence: evidence})
			continue
		}
		deps = append(deps, &registration.Dependency{Service: string(name), Kind: registration.DependencyDeclared, Evidence: evidence})
	}
	return deps, nil
}

// mergeDependencies merges edges with the same target, kind and resource
// type, sorts them by those, and sorts and dedupes their evidence.
func mergeDependencies(deps []*registration.Dependency) []*registration.Dependency {
	registration.SortDependencies(deps)
	var out []*registration.Dependency
	for _, d := range deps {
		if n := len(out); n > 0 && out[n-1].Service == d.Service && out[n-1].Kind == d.Kind && out[n-1].ResourceType == d.ResourceType {
			out[n-1].Evidence = append(out[n-1].Evidence, d.Evidence...)
			continue
		}
		out = append(out, d)
	}
	for _, d := range out {
		slices.Sort(d.Evidence)
		d.Evidence = slices.Compact(d.Evidence)
	}
	return out
}

// declaredIn reports whether a message of file from's package that from
// sees declares resource type t.
func (ix *Index) declaredIn(from protoreflect.FileDescriptor, t string) bool {
	for _, m := range ix.resources[t] {
		if m.ParentFile().Package() == from.Package() && ix.visible.sees(from, m.ParentFile()) {
			return true
		}
	}
	return false
}

// seesPackage reports whether file from sees a file of package pkg.
func (ix *Index) seesPackage(from protoreflect.FileDescriptor, pkg protoreflect.FullName) bool {
	for _, fd := range ix.packages[pkg] {
		if ix.visible.sees(from, fd) {
			return true
		}
	}
	return false
}
