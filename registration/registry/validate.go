package registry

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// ServiceInfoProvider is what Validate needs from a server: *grpc.Server
// implements it.
type ServiceInfoProvider interface {
	GetServiceInfo() map[string]grpc.ServiceInfo
}

// ValidationError lists every problem Validate found: per served service
// in name order, an UnregisteredService problem, or the problems Compare
// finds between the service and its registration.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems, one per line after a summary.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("registry: the server does not serve what its registrations say: 1 problem")
	} else {
		fmt.Fprintf(&b, "registry: the server does not serve what its registrations say: %d problems", len(e.Problems))
	}
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p.String())
	}
	return b.String()
}

// Validate checks what srv serves against the registrations of those
// services. It returns nil or a *ValidationError with every problem:
//
//   - a served service without a registration in r (UnregisteredService),
//     unless it is one of gRPC's own (IsInfrastructure), such as
//     grpc.health.v1.Health or grpc.reflection.v1.ServerReflection;
//   - for each served service with a registration, what Compare finds: a
//     registered method that is not served, or served with another
//     streaming shape or message types, and a served method that neither
//     the registration nor the service's descriptor has.
//
// A registered service that srv does not serve is no problem: Default
// holds every service whose generated Go package the program links, and a
// package is linked as soon as the program uses one of its message types,
// whether or not it serves its services. Served lists the registrations of
// what a server serves.
//
// A method that the registration leaves out but the service's descriptor
// has is not a problem either. A registration without a descriptor
// declares only its own methods. Message types are those of the served
// service's descriptor in protoregistry.GlobalFiles, which is what grpc-go's
// server reflection reports too; they are not compared for a service or
// method that is not there (a hand-written grpc.ServiceDesc).
func (r *Registry) Validate(srv ServiceInfoProvider) error {
	var problems []Problem
	for _, s := range servedBy(srv) {
		reg, ok := r.Lookup(s.Name)
		if !ok {
			if !IsInfrastructure(s.Name) {
				problems = append(problems, Problem{Kind: UnregisteredService, Service: s.Name})
			}
			continue
		}
		c := Compare([]Expected{{Service: reg.service(), Declared: declared(reg)}}, []ServedService{s})
		problems = append(problems, c.Problems...)
	}
	if len(problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: problems}
}

// Validate validates srv against Default.
func Validate(srv ServiceInfoProvider) error { return Default.Validate(srv) }

// Served returns a new registry with the registrations in r of the
// services srv serves: what a server's introspection handler should list.
func (r *Registry) Served(srv ServiceInfoProvider) *Registry {
	out := new(Registry)
	for name := range srv.GetServiceInfo() {
		if reg, ok := r.Lookup(name); ok {
			if out.byName == nil {
				out.byName = make(map[string]*Registered)
			}
			out.byName[name] = reg
		}
	}
	return out
}

// declared returns the methods a registered service is known to have: its
// descriptor's, or else its registration's.
func declared(reg *Registered) []string {
	out := []string{}
	if d := reg.Descriptor(); d != nil {
		for i := range d.Methods().Len() {
			out = append(out, string(d.Methods().Get(i).Name()))
		}
		return out
	}
	for _, m := range reg.service().Methods {
		if m != nil {
			out = append(out, m.Name)
		}
	}
	return out
}

// servedBy returns what srv serves, services sorted by name (the info
// comes in a map).
func servedBy(srv ServiceInfoProvider) []ServedService {
	info := srv.GetServiceInfo()
	names := make([]string, 0, len(info))
	for name := range info {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]ServedService, len(names))
	for i, name := range names {
		var sd protoreflect.ServiceDescriptor
		if d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(name)); err == nil {
			sd, _ = d.(protoreflect.ServiceDescriptor)
		}
		out[i].Name = name
		for _, mi := range info[name].Methods {
			m := ServedMethod{Name: mi.Name, Streaming: registration.StreamingShape(mi.IsClientStream, mi.IsServerStream)}
			if sd != nil {
				if md := sd.Methods().ByName(protoreflect.Name(mi.Name)); md != nil {
					m.InputType, m.OutputType = string(md.Input().FullName()), string(md.Output().FullName())
				}
			}
			out[i].Methods = append(out[i].Methods, m)
		}
	}
	return out
}
