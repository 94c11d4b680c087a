// Package registry is the runtime side of the Go output of
// protoc-gen-registration: the registry that generated code registers into,
// and what a server does with it at start-up.
//
// Generate Go output with the plugin's emit=go parameter. Each generated
// *.registration.go file declares one typed value per service,
//
//	var LibraryServiceRegistration = &registry.Registered{Service: &registration.Service{...}, ...}
//
// linked to the service's exact descriptor, and registers it into Default
// when its package is initialised. A server then checks that it really
// serves what the protos promise, applies an optional override file and
// serves the registry for introspection:
//
//	reg, err := registry.Bootstrap(*overridePath) // embedded registrations, plus a valid override
//	if err != nil {
//		log.Printf("registration override ignored: %v", err)
//	}
//	if err := reg.Validate(grpcServer); err != nil {
//		log.Fatal(err) // lists every missing service, missing or extra method, streaming or message type mismatch
//	}
//	http.Handle("/registry/", http.StripPrefix("/registry", reg.Handler()))
//
// The package is separate from package registration, the model, so that
// programs which only read registration files (the plugin among them) do
// not link gRPC.
package registry

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Registered is one service's registration as compiled into a program.
type Registered struct {
	// Service is the registration, the value the plugin writes to
	// registration files.
	Service *registration.Service
	// Descriptor is the service's exact descriptor, from the protoc-gen-go
	// output it was generated beside. It may be nil for a registration that
	// was not generated, such as one built by hand in a test.
	Descriptor protoreflect.ServiceDescriptor
	// GoImportPath is the Go package that declares the registration, for
	// messages about conflicts.
	GoImportPath string
}

// Name returns the service's full name.
func (r *Registered) Name() string { return r.Service.Name }

// check reports a registration that cannot be registered.
func (r *Registered) check() error {
	switch {
	case r == nil:
		return fmt.Errorf("registry: nil registration")
	case r.Service == nil:
		return fmt.Errorf("registry: registration from %s has no service", orUnknown(r.GoImportPath))
	case r.Service.Name == "":
		return fmt.Errorf("registry: registration from %s has a service without a name", orUnknown(r.GoImportPath))
	case r.Descriptor != nil && string(r.Descriptor.FullName()) != r.Service.Name:
		return fmt.Errorf("registry: registration of %s is linked to the descriptor of %s", r.Service.Name, r.Descriptor.FullName())
	}
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown package"
	}
	return s
}

// Registry holds registrations by service full name. The zero value is an
// empty registry ready to use; it is safe for concurrent use. Lists come in
// a stable order, sorted by full name.
type Registry struct {
	mu     sync.RWMutex
	byName map[string]*Registered
	sorted []*Registered // by name; nil when it must be rebuilt
}

// Default is the registry that generated code registers into.
var Default = new(Registry)

// New returns a registry holding regs, for a program that serves only some
// of the services it links, or for tests. It fails as Register does.
func New(regs ...*Registered) (*Registry, error) {
	r := new(Registry)
	for _, reg := range regs {
		if err := r.Register(reg); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds reg. It fails on an incomplete registration and when a
// service of the same full name is already registered.
func (r *Registry) Register(reg *Registered) error {
	if err := reg.check(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.byName[reg.Name()]; ok {
		return fmt.Errorf("registry: registration conflict: service %s is registered twice\n\tprevious: %s (%s)\n\tcurrent:  %s (%s)\n"+
			"Every service must be generated into one Go package only; a program that links two copies of the same protos cannot tell them apart",
			reg.Name(), orUnknown(prev.GoImportPath), prev.Service.File, orUnknown(reg.GoImportPath), reg.Service.File)
	}
	if r.byName == nil {
		r.byName = make(map[string]*Registered)
	}
	r.byName[reg.Name()] = reg
	r.sorted = nil
	return nil
}

// MustRegister registers every one of regs and panics if one cannot be
// registered, as protoregistry does for conflicting descriptors: generated
// code calls it from init, where a conflict is a build mistake.
func (r *Registry) MustRegister(regs ...*Registered) {
	for _, reg := range regs {
		if err := r.Register(reg); err != nil {
			panic(err)
		}
	}
}

// MustRegister registers regs into Default; see Registry.MustRegister.
func MustRegister(regs ...*Registered) { Default.MustRegister(regs...) }

// Lookup returns the registration of the service with this full name.
func (r *Registry) Lookup(name string) (*Registered, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	reg, ok := r.byName[name]
	return reg, ok
}

// Lookup looks name up in Default.
func Lookup(name string) (*Registered, bool) { return Default.Lookup(name) }

// Len returns the number of registered services.
func (r *Registry) Len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byName)
}

// List returns every registration, sorted by full name. The slice is the
// caller's.
func (r *Registry) List() []*Registered {
	return slices.Clone(r.list())
}

// List lists Default.
func List() []*Registered { return Default.List() }

// Range calls f for every registration in the order of List until f
// returns false. f may use the registry, including registering into it; it
// sees the registrations as they were when Range began.
func (r *Registry) Range(f func(*Registered) bool) {
	for _, reg := range r.list() {
		if !f(reg) {
			return
		}
	}
}

// Range ranges over Default.
func Range(f func(*Registered) bool) { Default.Range(f) }

// list returns the shared sorted slice, built once per change. Callers must
// not modify it.
func (r *Registry) list() []*Registered {
	r.mu.RLock()
	sorted := r.sorted
	r.mu.RUnlock()
	if sorted != nil || r.Len() == 0 {
		return sorted
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sorted == nil {
		// The map is only for lookups; the order comes from the names.
		r.sorted = make([]*Registered, 0, len(r.byName))
		for _, reg := range r.byName {
			r.sorted = append(r.sorted, reg)
		}
		slices.SortFunc(r.sorted, func(a, b *Registered) int { return strings.Compare(a.Name(), b.Name()) })
	}
	return r.sorted
}

// Registration returns the registry as a registration.v2 document: every
// service sorted by full name, and the files they come from, sorted. It
// shares the services with the registry; treat them as read-only.
func (r *Registry) Registration() *registration.Registration {
	doc := &registration.Registration{Format: registration.Format, Files: []string{}, Services: []*registration.Service{}}
	seen := make(map[string]bool)
	for _, reg := range r.list() {
		doc.Services = append(doc.Services, reg.Service)
		if f := reg.Service.File; f != "" && !seen[f] {
			seen[f] = true
			doc.Files = append(doc.Files, f)
		}
	}
	slices.Sort(doc.Files)
	return doc
}

// clone returns a registry with the same registrations.
func (r *Registry) clone() *Registry {
	c := new(Registry)
	r.mu.RLock()
	defer r.mu.RUnlock()
	c.byName = make(map[string]*Registered, len(r.byName))
	for name, reg := range r.byName {
		c.byName[name] = reg
	}
	return c
}
