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

// ValidationError lists every problem Validate found, service by service in
// the registry's order and, within a service, as Comparison.Problems says.
type ValidationError struct {
	Problems []Problem
}

// Error lists the problems, one per line after a summary.
func (e *ValidationError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("registry: the server does not serve what is registered: 1 problem")
	} else {
		fmt.Fprintf(&b, "registry: the server does not serve what is registered: %d problems", len(e.Problems))
	}
	for _, p := range e.Problems {
		b.WriteString("\n\t")
		b.WriteString(p.String())
	}
	return b.String()
}

// Validate checks, with Compare, that srv serves every registered service
// with exactly its methods, their streaming shapes and their message
// types. It returns nil or a *ValidationError with every problem.
//
// Services the server has and the registry does not, such as
// grpc.health.v1.Health, are not problems; a method that the registration
// leaves out but the service's descriptor has is not one either. A
// registration without a descriptor declares only its own methods. Message
// types are those of the served service's descriptor in
// protoregistry.GlobalFiles, which is what grpc-go's server reflection
// reports too; they are not compared for a service or method that is not
// there (a hand-written grpc.ServiceDesc).
func (r *Registry) Validate(srv ServiceInfoProvider) error {
	var expected []Expected
	for _, reg := range r.list() {
		expected = append(expected, Expected{Service: reg.Service, Declared: declared(reg)})
	}
	problems := Compare(expected, servedBy(srv)).Problems
	if len(problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: problems}
}

// Validate validates Default against srv.
func Validate(srv ServiceInfoProvider) error { return Default.Validate(srv) }

// declared returns the methods a registered service is known to have: its
// descriptor's, or else its registration's.
func declared(reg *Registered) []string {
	out := []string{}
	if reg.Descriptor != nil {
		for i := range reg.Descriptor.Methods().Len() {
			out = append(out, string(reg.Descriptor.Methods().Get(i).Name()))
		}
		return out
	}
	for _, m := range reg.Service.Methods {
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
