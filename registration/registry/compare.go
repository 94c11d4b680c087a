package registry

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// ProblemKind says what is wrong between a registration and a server. The
// kinds are upper-case rule IDs, like those of registration/compare and
// registration/lint, and are spelled the same wherever a registration is
// compared with a server: Registry.Validate against a *grpc.Server, the
// registration command's validate --server against gRPC server reflection.
type ProblemKind string

// Kinds of Problem.
const (
	// MissingService: a registered service is not served.
	MissingService ProblemKind = "MISSING_SERVICE"
	// MissingMethod: a method of a registered service is not served.
	MissingMethod ProblemKind = "MISSING_METHOD"
	// ExtraMethod: the server serves a method that neither the
	// registration nor the service's definition (Expected.Declared) has.
	ExtraMethod ProblemKind = "EXTRA_METHOD"
	// StreamingMismatch: a method is served with another streaming shape.
	StreamingMismatch ProblemKind = "STREAMING_MISMATCH"
	// InputTypeMismatch: a method is served with another request message.
	InputTypeMismatch ProblemKind = "INPUT_TYPE_MISMATCH"
	// OutputTypeMismatch: a method is served with another response message.
	OutputTypeMismatch ProblemKind = "OUTPUT_TYPE_MISMATCH"
	// UnregisteredService: a service is served without a registration
	// (Registry.Validate only).
	UnregisteredService ProblemKind = "UNREGISTERED_SERVICE"
)

// Problem is one difference between a registration and a server.
type Problem struct {
	Kind ProblemKind
	// Service is the service's full name.
	Service string
	// Method is the method's short name; empty for MissingService and
	// UnregisteredService.
	Method string
	// Want and Got are the registered and the served values: for
	// StreamingMismatch streaming shapes (unary, client, server or bidi),
	// for InputTypeMismatch and OutputTypeMismatch message full names.
	Want, Got string
}

// Element returns the full name of what the problem is about: the service,
// or the method ("library.v1.LibraryService.GetBook").
func (p Problem) Element() string {
	if p.Method == "" {
		return p.Service
	}
	return p.Service + "." + p.Method
}

// String describes the problem in one sentence.
func (p Problem) String() string {
	switch p.Kind {
	case MissingService:
		return fmt.Sprintf("service %s is registered but not served", p.Service)
	case UnregisteredService:
		return fmt.Sprintf("service %s is served but has no registration", p.Service)
	case MissingMethod:
		return fmt.Sprintf("method %s is registered but not served", p.Element())
	case ExtraMethod:
		return fmt.Sprintf("method %s is served but not in the registration", p.Element())
	case StreamingMismatch:
		return fmt.Sprintf("method %s is registered as %s but served as %s", p.Element(), p.Want, p.Got)
	case InputTypeMismatch:
		return fmt.Sprintf("method %s is registered with request type %s but served with %s", p.Element(), p.Want, p.Got)
	case OutputTypeMismatch:
		return fmt.Sprintf("method %s is registered with response type %s but served with %s", p.Element(), p.Want, p.Got)
	}
	return fmt.Sprintf("%s: %s", p.Kind, p.Element())
}

// ServedService is what a server serves of one service, as plain values,
// whatever says it: grpc.Server's GetServiceInfo, gRPC server reflection,
// or a test.
type ServedService struct {
	// Name is the service's full name.
	Name string
	// Methods are the methods served. Only services that are compared with
	// a registration need them.
	Methods []ServedMethod
}

// ServedMethod is one method that a server serves.
type ServedMethod struct {
	// Name is the method's short name.
	Name string
	// Streaming is the served streaming shape, a registration.Streaming
	// constant (see registration.StreamingShape).
	Streaming string
	// InputType and OutputType are the full names of the served request and
	// response messages, without a leading dot; empty when the source does
	// not say, and then not compared.
	InputType, OutputType string
}

// Expected is a registered service that a server should serve.
type Expected struct {
	Service *registration.Service
	// Declared names every method of the service's definition, when the
	// caller knows it (from the service's compiled descriptor): a served
	// method that the registration leaves out is an ExtraMethod problem
	// when Declared lacks it too, and is only listed as unregistered when
	// Declared has it, since a registration may leave methods out on
	// purpose. A nil Declared means that the caller does not know, and
	// every served method that the registration lacks is only listed.
	Declared []string
}

// Comparison is what Compare finds.
type Comparison struct {
	// Problems are what the server lacks or serves differently: per
	// expected service in the order given, a MissingService, or per
	// registered method in order its MissingMethod or mismatches
	// (streaming, request, response), then ExtraMethod problems by method
	// name.
	Problems []Problem
	// Unregistered are the full names of what the server serves beyond
	// the registrations, which is no problem: per expected service, its
	// unregistered methods by name, then the unexpected services by name,
	// less gRPC's own (IsInfrastructure).
	Unregistered []string
}

// IsInfrastructure reports whether a service is one of gRPC's own, which
// servers have beside their own services and which neither Compare lists
// as unregistered nor Registry.Validate requires a registration for: every
// service in the grpc proto package and the packages below it, such as
// grpc.health.v1.Health, grpc.reflection.v1.ServerReflection and its
// v1alpha, and grpc.channelz.v1.Channelz. gRPC reserves that package for
// its own protos.
func IsInfrastructure(service string) bool { return strings.HasPrefix(service, "grpc.") }

// Compare compares registered services with what a server serves: every
// expected service must be served with every registered method, with the
// same streaming shape and, where the server says them, the same request
// and response types. Nil services and methods are skipped.
func Compare(expected []Expected, served []ServedService) Comparison {
	byName := make(map[string]*ServedService, len(served))
	for i := range served {
		byName[served[i].Name] = &served[i]
	}
	var c Comparison
	seen := make(map[string]bool)
	for _, e := range expected {
		if e.Service == nil {
			continue
		}
		seen[e.Service.Name] = true
		if s := byName[e.Service.Name]; s == nil {
			c.Problems = append(c.Problems, Problem{Kind: MissingService, Service: e.Service.Name})
		} else {
			c.service(e, s)
		}
	}
	var others []string
	for _, s := range served {
		if !seen[s.Name] && !IsInfrastructure(s.Name) {
			others = append(others, s.Name)
		}
	}
	slices.Sort(others)
	c.Unregistered = append(c.Unregistered, slices.Compact(others)...)
	return c
}

// service compares one registered service with the served one.
func (c *Comparison) service(e Expected, s *ServedService) {
	name := e.Service.Name
	add := func(kind ProblemKind, method, want, got string) {
		c.Problems = append(c.Problems, Problem{Kind: kind, Service: name, Method: method, Want: want, Got: got})
	}
	registered := make(map[string]bool, len(e.Service.Methods))
	for _, m := range e.Service.Methods {
		if m == nil {
			continue
		}
		registered[m.Name] = true
		i := slices.IndexFunc(s.Methods, func(sm ServedMethod) bool { return sm.Name == m.Name })
		if i < 0 {
			add(MissingMethod, m.Name, "", "")
			continue
		}
		sm := s.Methods[i]
		if sm.Streaming != m.Streaming {
			add(StreamingMismatch, m.Name, m.Streaming, sm.Streaming)
		}
		if sm.InputType != "" && sm.InputType != m.InputType {
			add(InputTypeMismatch, m.Name, m.InputType, sm.InputType)
		}
		if sm.OutputType != "" && sm.OutputType != m.OutputType {
			add(OutputTypeMismatch, m.Name, m.OutputType, sm.OutputType)
		}
	}
	var extra, unregistered []string
	for _, sm := range s.Methods {
		switch {
		case registered[sm.Name]:
		case e.Declared != nil && !slices.Contains(e.Declared, sm.Name):
			extra = append(extra, sm.Name)
		default:
			unregistered = append(unregistered, name+"."+sm.Name)
		}
	}
	// Sources list methods in no order that means anything here
	// (GetServiceInfo's come from a map of handlers): sort them.
	slices.Sort(extra)
	for _, m := range slices.Compact(extra) {
		add(ExtraMethod, m, "", "")
	}
	slices.Sort(unregistered)
	c.Unregistered = append(c.Unregistered, slices.Compact(unregistered)...)
}
