package registry

import (
	"fmt"
	"slices"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// ServiceInfoProvider is what Validate needs from a server: *grpc.Server
// implements it.
type ServiceInfoProvider interface {
	GetServiceInfo() map[string]grpc.ServiceInfo
}

// ProblemKind says what is wrong between a registration and a server.
type ProblemKind string

// Kinds of Problem.
const (
	// MissingService: a registered service is not served.
	MissingService ProblemKind = "missing_service"
	// MissingMethod: a method of a registered service is not served.
	MissingMethod ProblemKind = "missing_method"
	// ExtraMethod: the server serves a method that neither the registration
	// nor the service's descriptor has.
	ExtraMethod ProblemKind = "extra_method"
	// StreamingMismatch: a method is served with another streaming shape.
	StreamingMismatch ProblemKind = "streaming_mismatch"
)

// Problem is one difference between a registration and a server.
type Problem struct {
	Kind ProblemKind
	// Service is the service's full name.
	Service string
	// Method is the method's short name; empty for MissingService.
	Method string
	// Want and Got are, for StreamingMismatch, the registered and the served
	// streaming shapes: unary, client, server or bidi.
	Want, Got string
}

// String describes the problem in one line.
func (p Problem) String() string {
	switch p.Kind {
	case MissingService:
		return fmt.Sprintf("service %s is registered but not served", p.Service)
	case MissingMethod:
		return fmt.Sprintf("method %s.%s is registered but not served", p.Service, p.Method)
	case ExtraMethod:
		return fmt.Sprintf("method %s.%s is served but not in the registration", p.Service, p.Method)
	case StreamingMismatch:
		return fmt.Sprintf("method %s.%s is registered as %s but served as %s", p.Service, p.Method, p.Want, p.Got)
	}
	return fmt.Sprintf("%s: %s.%s", p.Kind, p.Service, p.Method)
}

// ValidationError lists every problem Validate found, service by service in
// the registry's order and, within a service, in method order.
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

// Validate checks that srv serves every registered service with exactly its
// methods and their streaming shapes. It returns nil or a *ValidationError
// with every problem. Services the server has and the registry does not,
// such as grpc.health.v1.Health, are not problems; a method that the
// registration leaves out but the service's descriptor has is not one
// either.
func (r *Registry) Validate(srv ServiceInfoProvider) error {
	info := srv.GetServiceInfo()
	var problems []Problem
	for _, reg := range r.list() {
		problems = append(problems, compare(reg, info)...)
	}
	if len(problems) == 0 {
		return nil
	}
	return &ValidationError{Problems: problems}
}

// Validate validates Default against srv.
func Validate(srv ServiceInfoProvider) error { return Default.Validate(srv) }

func compare(reg *Registered, info map[string]grpc.ServiceInfo) []Problem {
	name := reg.Name()
	si, ok := info[name]
	if !ok {
		return []Problem{{Kind: MissingService, Service: name}}
	}
	var problems []Problem
	served := make(map[string]grpc.MethodInfo, len(si.Methods))
	for _, m := range si.Methods {
		served[m.Name] = m
	}
	registered := make(map[string]bool, len(reg.Service.Methods))
	for _, m := range reg.Service.Methods {
		registered[m.Name] = true
		mi, ok := served[m.Name]
		switch {
		case !ok:
			problems = append(problems, Problem{Kind: MissingMethod, Service: name, Method: m.Name})
		case registration.StreamingShape(mi.IsClientStream, mi.IsServerStream) != m.Streaming:
			problems = append(problems, Problem{Kind: StreamingMismatch, Service: name, Method: m.Name, Want: m.Streaming, Got: registration.StreamingShape(mi.IsClientStream, mi.IsServerStream)})
		}
	}
	// GetServiceInfo comes from a map: sort the extra methods by name.
	var extra []string
	for _, m := range si.Methods {
		if registered[m.Name] || inDescriptor(reg, m.Name) {
			continue
		}
		extra = append(extra, m.Name)
	}
	slices.Sort(extra)
	for _, m := range extra {
		problems = append(problems, Problem{Kind: ExtraMethod, Service: name, Method: m})
	}
	return problems
}

// inDescriptor reports a method that the service's descriptor has: one the
// registration leaves out on purpose is still served by the generated
// gRPC code.
func inDescriptor(reg *Registered, method string) bool {
	return reg.Descriptor != nil && reg.Descriptor.Methods().ByName(protoreflect.Name(method)) != nil
}
