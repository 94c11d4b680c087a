// Package override applies a registration file to the runtime registry at
// start-up: a deploy can describe its services differently from what is
// compiled in (another owner, health path or binding) without a rebuild.
//
// It is apart from package registry, which generated code imports, because
// it reads files: YAML and the registration JSON Schema are linked by the
// programs that import this package, not by every program that imports
// generated code.
package override

import (
	"fmt"
	"os"

	"github.com/ovasabi/protoc-gen-registration/registration/codec"
	"github.com/ovasabi/protoc-gen-registration/registration/registry"
	"github.com/ovasabi/protoc-gen-registration/registration/schema"
)

// Bootstrap returns a registry that holds registry.Default's registrations,
// the ones compiled into the program, with the services of the override
// file at path in their place when the file is valid; see Apply.
func Bootstrap(path string) (*registry.Registry, error) { return Apply(registry.Default, path) }

// Apply returns a new registry that holds r's registrations and, when path
// is not empty, replaces each service that the override file lists with
// the file's version of it.
//
// The override file is a registration document, JSON or YAML, as the plugin
// writes them. It is applied only if it parses, matches the registration
// schema and agrees with what is compiled in (Registry.Override says how).
// Otherwise Apply returns r's registrations unchanged together with the
// reason: the registry it returns is never nil and nothing is lost, so a
// server can log the error and go on. A missing file is such an error too;
// it wraps fs.ErrNotExist for callers that treat the override as optional.
// r itself is not changed.
func Apply(r *registry.Registry, path string) (*registry.Registry, error) {
	if path == "" {
		return r.Clone(), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return r.Clone(), fmt.Errorf("registry: override not applied, keeping the compiled registrations: %w", err)
	}
	return Bytes(r, path, data)
}

// Bytes is Apply for an override document already in memory; name is used
// in messages.
func Bytes(r *registry.Registry, name string, data []byte) (*registry.Registry, error) {
	doc, err := codec.Unmarshal(name, data)
	if err == nil {
		if serr := schema.Validate(data); serr != nil {
			err = fmt.Errorf("does not match the registration schema: %v", serr)
		}
	}
	if err != nil {
		return r.Clone(), fmt.Errorf("registry: override %s not applied, keeping the compiled registrations: %w", name, err)
	}
	return r.Override(name, doc)
}
