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
// facts of every method, which service owns each resource type, which
// message declares it, and the services of each file and package.
type Index struct {
	resolver  Resolver
	methods   map[protoreflect.FullName]MethodFacts
	owners    map[string]protoreflect.ServiceDescriptor
	resources map[string]protoreflect.MessageDescriptor
	byFile    map[string][]protoreflect.ServiceDescriptor
	byPackage map[protoreflect.FullName][]protoreflect.ServiceDescriptor
	packages  map[protoreflect.FullName]bool
}

// NewIndex indexes files, given in request order: where two services act on
// the same resource type, the first one in that order owns it.
func NewIndex(files []protoreflect.FileDescriptor, r Resolver) *Index {
	ix := &Index{
		resolver:  r,
		methods:   make(map[protoreflect.FullName]MethodFacts),
		owners:    make(map[string]protoreflect.ServiceDescriptor),
		resources: make(map[string]protoreflect.MessageDescriptor),
		byFile:    make(map[string][]protoreflect.ServiceDescriptor),
		byPackage: make(map[protoreflect.FullName][]protoreflect.ServiceDescriptor),
		packages:  make(map[protoreflect.FullName]bool),
	}
	var all []protoreflect.MethodDescriptor
	for _, fd := range files {
		ix.packages[fd.Package()] = true
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
	// Describing a method reads only its descriptors, so the methods are
	// described on every processor; ownership is then settled in request
	// order.
	facts := make([]MethodFacts, len(all))
	parallel.For(len(all), func(i int) { facts[i] = DescribeMethod(all[i], r) })
	for i, md := range all {
		ix.methods[md.FullName()] = facts[i]
		if f := facts[i]; f.Kind != registration.KindCustom && f.Resource != nil {
			if _, taken := ix.owners[f.Resource.Type]; !taken && !Excluded(md) {
				ix.owners[f.Resource.Type] = md.Parent().(protoreflect.ServiceDescriptor)
			}
		}
	}
	return ix
}

func (ix *Index) indexMessages(msgs protoreflect.MessageDescriptors) {
	for i := range msgs.Len() {
		md := msgs.Get(i)
		if t := messageResource(md); t != "" {
			if _, dup := ix.resources[t]; !dup {
				ix.resources[t] = md
			}
		}
		ix.indexMessages(md.Messages())
	}
}

// Method returns the facts of a method of the indexed files.
func (ix *Index) Method(md protoreflect.MethodDescriptor) MethodFacts {
	if f, ok := ix.methods[md.FullName()]; ok {
		return f
	}
	return DescribeMethod(md, ix.resolver)
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
// message that declares the resource type, or, for a type no message in the
// request declares, the type's last part in the method's package.
func (ix *Index) resourceEventPrefix(typ string, md protoreflect.MethodDescriptor) string {
	if m, ok := ix.resources[typ]; ok {
		return string(m.FullName())
	}
	if i := strings.LastIndex(typ, "/"); i >= 0 {
		return string(md.ParentFile().Package().Append(protoreflect.Name(typ[i+1:])))
	}
	return typ // an inferred resource is already a message's full name
}

// schema follows the messages of a service's methods through their fields
// and returns the resource and schema dependencies found on the way and the
// full names of the messages visited, sorted.
func (ix *Index) schema(sd protoreflect.ServiceDescriptor, methods []protoreflect.MethodDescriptor) ([]*registration.Dependency, []string) {
	pkg := sd.ParentFile().Package()
	var deps []*registration.Dependency
	visited := make(map[protoreflect.FullName]protoreflect.MessageDescriptor)
	var queue []protoreflect.MessageDescriptor
	// schemaEdge records that the service uses message m, reached through
	// evidence, and depends on m's package when that has services.
	schemaEdge := func(m protoreflect.MessageDescriptor, evidence string) {
		p := m.ParentFile().Package()
		// The google packages (well-known types, google.api,
		// google.longrunning) are shared infrastructure: returning an
		// Operation is a long-running method, not a dependency on the
		// Operations service.
		if p == pkg || p == "google" || strings.HasPrefix(string(p), "google.") {
			return
		}
		// The target is the service that owns the message's resource type
		// if it is one, else the services of its file, else those of its
		// package.
		var targets []protoreflect.ServiceDescriptor
		if owner, ok := ix.owners[messageResource(m)]; ok {
			targets = []protoreflect.ServiceDescriptor{owner}
		} else if targets = ix.byFile[m.ParentFile().Path()]; len(targets) == 0 {
			targets = ix.byPackage[p]
		}
		for _, t := range targets {
			deps = append(deps, &registration.Dependency{Service: string(t.FullName()), Kind: registration.DependencySchema, Evidence: []string{evidence}})
		}
	}
	visit := func(m protoreflect.MessageDescriptor, evidence string) {
		schemaEdge(m, evidence)
		if _, seen := visited[m.FullName()]; !seen {
			visited[m.FullName()] = m
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
			// package's dependencies, reached through a schema edge.
			if t, _ := fieldReference(f); t != "" && m.ParentFile().Package() == pkg {
				deps = append(deps, ix.resourceDependency(sd, t, string(f.FullName()))...)
			}
			if sub := f.Message(); sub != nil {
				visit(sub, string(f.FullName()))
			}
		}
	}
	types := make([]string, 0, len(visited))
	for name, m := range visited {
		if !m.IsMapEntry() {
			types = append(types, string(name))
		}
	}
	slices.Sort(types) // visited is a map: sort for a stable order
	return deps, types
}

// resourceDependency is the edge from sd to the owner of resource type t,
// none for its own resources or a type that is declared but not owned, and
// an external edge for a type nothing in the request declares.
func (ix *Index) resourceDependency(sd protoreflect.ServiceDescriptor, t, evidence string) []*registration.Dependency {
	if owner, ok := ix.owners[t]; ok {
		if owner.FullName() == sd.FullName() {
			return nil
		}
		return []*registration.Dependency{{Service: string(owner.FullName()), Kind: registration.DependencyResource, Evidence: []string{evidence}}}
	}
	if _, declared := ix.resources[t]; declared {
		return nil
	}
	return []*registration.Dependency{{Service: t, Kind: registration.DependencyResource, External: true, Evidence: []string{evidence}}}
}

// declaredDependencies reads the dependencies a service's options declare.
// A service of a package in the request must exist, with every method
// named; one of a package outside the request is external.
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
		desc, err := ix.resolver.FindDescriptorByName(name)
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
		case ix.packages[name.Parent()]:
			return nil, fail("no service %s in package %s", name.Name(), name.Parent())
		default:
			deps = append(deps, &registration.Dependency{Service: string(name), Kind: registration.DependencyDeclared, External: true, Evidence: evidence})
			continue
		}
		deps = append(deps, &registration.Dependency{Service: string(name), Kind: registration.DependencyDeclared, Evidence: evidence})
	}
	return deps, nil
}

// mergeDependencies merges edges with the same target and kind, sorts them
// by target and kind, and sorts and dedupes their evidence.
func mergeDependencies(deps []*registration.Dependency) []*registration.Dependency {
	slices.SortStableFunc(deps, func(a, b *registration.Dependency) int {
		return cmp.Or(strings.Compare(a.Service, b.Service), strings.Compare(a.Kind, b.Kind))
	})
	var out []*registration.Dependency
	for _, d := range deps {
		if n := len(out); n > 0 && out[n-1].Service == d.Service && out[n-1].Kind == d.Kind {
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
