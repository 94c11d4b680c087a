package registry

import (
	"errors"
	"fmt"
	"os"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// Bootstrap returns a registry that holds Default's registrations, the ones
// compiled into the program, with the services of the override file at
// overridePath in their place when the file is valid; see
// Registry.Bootstrap.
func Bootstrap(overridePath string) (*Registry, error) { return Default.Bootstrap(overridePath) }

// Bootstrap returns a new registry that holds r's registrations and, when
// overridePath is not empty, replaces each service that the override file
// lists with the file's version of it.
//
// The override file is a registration document, JSON or YAML, as the plugin
// writes them. It is applied only if it parses, matches the registration
// schema and agrees with what is compiled in: every service it lists must
// be registered in r, and every method it lists must exist in the service's
// descriptor with the same streaming shape and message types. Otherwise
// Bootstrap returns r's registrations unchanged together with the reason:
// the registry it returns is never nil and nothing is lost, so a server can
// log the error and go on. A missing file is such an error too; it wraps
// fs.ErrNotExist for callers that treat the override as optional.
//
// Services that the override file does not list keep their compiled
// registration. r itself is not changed.
func (r *Registry) Bootstrap(overridePath string) (*Registry, error) {
	if overridePath == "" {
		return r.clone(), nil
	}
	data, err := os.ReadFile(overridePath)
	if err != nil {
		return r.clone(), fmt.Errorf("registry: override not applied, keeping the compiled registrations: %w", err)
	}
	return r.Override(overridePath, data)
}

// Override is Bootstrap for an override document already in memory; name is
// used in messages.
func (r *Registry) Override(name string, data []byte) (*Registry, error) {
	out := r.clone()
	overrides, err := r.overrides(name, data)
	if err != nil {
		return out, fmt.Errorf("registry: override %s not applied, keeping the compiled registrations: %w", name, err)
	}
	for _, o := range overrides {
		out.byName[o.Name()] = o
	}
	return out, nil
}

// overrides parses and checks an override document and returns the
// registrations it replaces, or every reason it cannot be applied.
func (r *Registry) overrides(name string, data []byte) ([]*Registered, error) {
	doc, err := registration.Unmarshal(name, data)
	if err != nil {
		return nil, err
	}
	if err := schema.Validate(data); err != nil {
		return nil, fmt.Errorf("does not match the registration schema: %v", err)
	}
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
		out = append(out, &Registered{Service: svc, Descriptor: compiled.Descriptor, GoImportPath: compiled.GoImportPath})
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
	if compiled.Descriptor != nil {
		md := compiled.Descriptor.Methods().ByName(protoreflect.Name(name))
		if md == nil {
			return registration.Method{}, false
		}
		return registration.Method{
			Streaming:  registration.StreamingShape(md.IsStreamingClient(), md.IsStreamingServer()),
			InputType:  string(md.Input().FullName()),
			OutputType: string(md.Output().FullName()),
		}, true
	}
	for _, m := range compiled.Service.Methods {
		if m.Name == name {
			return *m, true
		}
	}
	return registration.Method{}, false
}
