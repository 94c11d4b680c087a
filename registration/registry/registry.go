// Package registry is the runtime side of the Go output of
// protoc-gen-registration: the registry that generated code registers into,
// and what a server does with it at start-up.
//
// Generate Go output with the plugin's emit=go parameter. Each generated
// *.registration.go file declares one value per service,
//
//	var LibraryServiceRegistration = registry.NewGenerated(registry.Generated{Name: "library.v1.LibraryService", ...})
//
// linked to the service's exact descriptor, and registers it into Default
// when its package is initialised. Default therefore holds every service
// whose Go package is linked, which is more than a server serves when its
// messages import another package with services. A server checks that what
// it serves matches the registrations of those services, optionally applies
// an override file (package registry/override) and serves the registry for
// introspection:
//
//	reg, err := override.Bootstrap(*overridePath) // embedded registrations, plus a valid override
//	if err != nil {
//		log.Printf("registration override ignored: %v", err)
//	}
//	if err := reg.Validate(grpcServer); err != nil {
//		log.Fatal(err) // lists every unregistered service, missing or extra method, streaming or message type mismatch
//	}
//	http.Handle("/registry/", http.StripPrefix("/registry", reg.Served(grpcServer).Handler()))
//
// Registrations are read-only once registered: Registered has accessors
// only, and Registered.Service returns a copy, so that no caller can change
// what another one reads.
//
// The package is separate from package registration, the model, so that
// programs which only read registration files (the plugin among them) do
// not link gRPC; and it reads no files, so that programs which import
// generated code link neither YAML nor a JSON Schema validator.
package registry

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// SupportPackageIsVersion1 is referenced by generated code, as
// grpc.SupportPackageIsVersion9 is by protoc-gen-go-grpc's output, so that
// code generated for a newer version of this package fails to compile with
// an error that names the missing constant instead of misbehaving. A
// version that generated code cannot use any more removes the constant.
const SupportPackageIsVersion1 = true

// Registered is one service's registration as compiled into a program. It
// cannot be changed once made: Service returns a copy.
type Registered struct {
	name         string
	goImportPath string
	// desc is the descriptor of a registration made with NewRegistered.
	desc protoreflect.ServiceDescriptor
	// file and methods are those of Generated, for generated code.
	file    func() protoreflect.FileDescriptor
	methods []string
	// build makes svc once, on first use: generated code builds no
	// registration at init.
	build func() *registration.Service
	once  sync.Once
	svc   *registration.Service
}

// NewRegistered returns a registration of svc, a copy of which it keeps,
// linked to the service's descriptor desc (nil for none: such a
// registration declares only its own methods) and declared by the Go
// package goImportPath, which messages about conflicts name. It is for
// registrations that are not generated, such as one built in a test.
func NewRegistered(svc *registration.Service, desc protoreflect.ServiceDescriptor, goImportPath string) *Registered {
	r := &Registered{goImportPath: goImportPath, desc: desc, svc: svc.Clone()}
	if svc != nil {
		r.name = svc.Name
	}
	return r
}

// Generated is what a generated *.registration.go file says about one
// service; see NewGenerated.
type Generated struct {
	// Name is the service's full name.
	Name string
	// GoImportPath is the Go package of the generated code.
	GoImportPath string
	// File returns protoc-gen-go's variable for the service's file
	// descriptor, File_<path>_proto. It is read when the descriptor is
	// needed, not when the value is made: protoc-gen-go sets the variable
	// in an init function.
	File func() protoreflect.FileDescriptor
	// Methods are the names of every method of the service as the plugin
	// saw it, in declaration order, including those the registration
	// leaves out: a linked descriptor with other methods means that the
	// registration is stale.
	Methods []string
	// Build returns the service's registration. It is called once, when
	// the registration is first needed.
	Build func() *registration.Service
}

// NewGenerated returns the registration that generated code declares. It
// builds nothing: the registration itself is built on first use.
func NewGenerated(g Generated) *Registered {
	return &Registered{name: g.Name, goImportPath: g.GoImportPath, file: g.File, methods: g.Methods, build: g.Build}
}

// Name returns the service's full name.
func (r *Registered) Name() string { return r.name }

// GoImportPath returns the Go package that declares the registration, or
// "" when it is not known.
func (r *Registered) GoImportPath() string { return r.goImportPath }

// Service returns a copy of the registration, the value the plugin writes
// to registration files: the caller may change it.
func (r *Registered) Service() *registration.Service { return r.service().Clone() }

// service returns the registration itself, built on first use; callers in
// this package read it and never hand it out.
func (r *Registered) service() *registration.Service {
	if r.build != nil {
		r.once.Do(func() { r.svc = r.build() })
	}
	return r.svc
}

// Descriptor returns the service's exact descriptor, from the protoc-gen-go
// output the registration was generated beside, or nil for a registration
// without one. Descriptors cannot be changed.
func (r *Registered) Descriptor() protoreflect.ServiceDescriptor {
	if r.file == nil {
		return r.desc
	}
	fd := r.file()
	if fd == nil {
		// Only while the generated package is being initialised, before
		// protoc-gen-go's init function has run.
		return nil
	}
	return fd.Services().ByName(protoreflect.FullName(r.name).Name())
}

// check reports a registration that cannot be registered.
func (r *Registered) check() error {
	switch {
	case r == nil:
		return errors.New("registry: nil registration")
	case r.build == nil && r.svc == nil:
		return fmt.Errorf("registry: registration from %s has no service", orUnknown(r.goImportPath))
	case r.name == "":
		return fmt.Errorf("registry: registration from %s has a service without a name", orUnknown(r.goImportPath))
	case r.file == nil && r.desc != nil && string(r.desc.FullName()) != r.name:
		return fmt.Errorf("registry: registration of %s is linked to the descriptor of %s", r.name, r.desc.FullName())
	}
	return nil
}

// stale reports a generated registration whose linked descriptor has other
// methods than the one it was generated from: a *.registration.go file
// left behind when its .pb.go was regenerated, which still compiles. It
// compares names only, which costs no allocation when they agree.
func (r *Registered) stale() error {
	if r.file == nil {
		return nil
	}
	fd := r.file()
	if fd == nil {
		return nil // not linked yet; see the generated init function
	}
	sd := fd.Services().ByName(protoreflect.FullName(r.name).Name())
	if sd != nil && sd.Methods().Len() == len(r.methods) {
		same := true
		for i, m := range r.methods {
			if string(sd.Methods().Get(i).Name()) != m {
				same = false
				break
			}
		}
		if same {
			return nil
		}
	}
	e := &StaleError{Service: r.name, GoImportPath: r.goImportPath, Generated: r.methods}
	if sd != nil {
		e.Linked = []string{}
		for i := range sd.Methods().Len() {
			e.Linked = append(e.Linked, string(sd.Methods().Get(i).Name()))
		}
	}
	return e
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

// Default is the registry that generated code registers into: every
// service whose generated Go package the program links.
var Default = new(Registry)

// New returns a registry holding regs, for a program that wants a registry
// of its own, or for tests. It fails as Register does.
func New(regs ...*Registered) (*Registry, error) {
	r := new(Registry)
	for _, reg := range regs {
		if err := r.Register(reg); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Register adds reg. It fails on an incomplete registration, with a *StaleError (errors.Is ErrStale) when reg was
// generated from other methods than its linked descriptor has, and with a
// *ConflictError (errors.Is ErrConflict) when a service of the same full
// name is already registered, which it keeps. It applies no conflict
// policy: that is RegisterGenerated's.
func (r *Registry) Register(reg *Registered) error {
	return r.register(reg, false)
}

// register adds reg; with keepStale it registers a stale registration and
// returns the *StaleError as well.
func (r *Registry) register(reg *Registered, keepStale bool) error {
	if err := reg.check(); err != nil {
		return err
	}
	stale := reg.stale()
	if stale != nil && !keepStale {
		return stale
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.byName[reg.name]; ok {
		return &ConflictError{Previous: prev, Current: reg}
	}
	if r.byName == nil {
		r.byName = make(map[string]*Registered)
	}
	r.byName[reg.name] = reg
	r.sorted = nil
	return stale
}

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
		slices.SortFunc(r.sorted, func(a, b *Registered) int { return strings.Compare(a.name, b.name) })
	}
	return r.sorted
}

// Registration returns the registry as a registration.v2 document: every
// service sorted by full name, and the files they come from, sorted. The
// document is the caller's: its services are copies.
func (r *Registry) Registration() *registration.Registration {
	doc := &registration.Registration{Format: registration.Format, Files: []string{}, Services: []*registration.Service{}}
	seen := make(map[string]bool)
	for _, reg := range r.list() {
		svc := reg.Service()
		doc.Services = append(doc.Services, svc)
		if f := svc.File; f != "" && !seen[f] {
			seen[f] = true
			doc.Files = append(doc.Files, f)
		}
	}
	slices.Sort(doc.Files)
	return doc
}

// Clone returns a new registry with the same registrations, which may be
// changed without changing r.
func (r *Registry) Clone() *Registry {
	c := new(Registry)
	r.mu.RLock()
	defer r.mu.RUnlock()
	c.byName = make(map[string]*Registered, len(r.byName))
	for name, reg := range r.byName {
		c.byName[name] = reg
	}
	return c
}
