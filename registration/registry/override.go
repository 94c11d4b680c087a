package registry

import (
	"errors"
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Override returns a new registry that holds r's registrations with each
// service that doc lists in place of r's; name names doc in messages.
// Package registry/override reads doc from a file (Bootstrap).
//
// doc is applied only if it agrees with what is compiled in: every service
// it lists must be registered in r, once, and every method it lists must
// exist in the service's descriptor with the same streaming shape and
// message types. Otherwise Override returns r's registrations unchanged
// together with every reason: the registry it returns is never nil and
// nothing is lost, so that a server can log the error and go on. Services
// that doc does not list keep their registration; r itself is not changed,
// and the registry keeps copies of doc's services.
func (r *Registry) Override(name string, doc *registration.Registration) (*Registry, error) {
	out := r.Clone()
	overrides, err := r.overrides(doc)
	if err != nil {
		return out, fmt.Errorf("registry: override %s not applied, keeping the compiled registrations: %w", name, err)
	}
	for _, o := range overrides {
		out.byName[o.name] = o
	}
	return out, nil
}

// overrides checks an override document and returns the registrations it
// replaces, or every reason it cannot be applied.
func (r *Registry) overrides(doc *registration.Registration) ([]*Registered, error) {
	var errs []error
	var out []*Registered
	seen := make(map[string]bool)
	for _, svc := range doc.Services {
		if svc == nil {
			errs = append(errs, errors.New("a service is null"))
			continue
		}
		if seen[svc.Name] {
			errs = append(errs, fmt.Errorf("service %s is listed twice", svc.Name))
			continue
		}
		seen[svc.Name] = true
		compiled, ok := r.Lookup(svc.Name)
		if !ok {
			errs = append(errs, fmt.Errorf("service %s is not compiled into this program", svc.Name))
			continue
		}
		if err := agrees(svc, compiled); err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, NewRegistered(svc, compiled.Descriptor(), compiled.goImportPath))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// agrees checks that an override's methods exist in the compiled service,
// with the same shape: an override may describe a service differently, but
// not promise methods the program cannot serve.
func agrees(svc *registration.Service, compiled *Registered) error {
	var errs []error
	for _, m := range svc.Methods {
		if m == nil {
			errs = append(errs, fmt.Errorf("service %s: a method is null", svc.Name))
			continue
		}
		want, ok := compiledMethod(compiled, m.Name)
		if !ok {
			errs = append(errs, fmt.Errorf("method %s.%s is not compiled into this program", svc.Name, m.Name))
			continue
		}
		if m.Streaming != want.Streaming || m.InputType != want.InputType || m.OutputType != want.OutputType {
			errs = append(errs, fmt.Errorf("method %s.%s: override says %s %s -> %s, compiled is %s %s -> %s",
				svc.Name, m.Name, m.Streaming, m.InputType, m.OutputType, want.Streaming, want.InputType, want.OutputType))
		}
	}
	return errors.Join(errs...)
}

// compiledMethod returns the shape of a method of a compiled service: from
// its descriptor, which has every method, or from its registration.
func compiledMethod(compiled *Registered, name string) (registration.Method, bool) {
	if d := compiled.Descriptor(); d != nil {
		md := d.Methods().ByName(protoreflect.Name(name))
		if md == nil {
			return registration.Method{}, false
		}
		return registration.Method{
			Streaming:  registration.StreamingShape(md.IsStreamingClient(), md.IsStreamingServer()),
			InputType:  string(md.Input().FullName()),
			OutputType: string(md.Output().FullName()),
		}, true
	}
	for _, m := range compiled.service().Methods {
		if m != nil && m.Name == name {
			return *m, true
		}
	}
	return registration.Method{}, false
}
