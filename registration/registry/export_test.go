package registry

import "github.com/ovasabi/protoc-gen-registration/registration"

// Build calls the constructor of a generated registration again, for
// BenchmarkInit in package registry_test.
func Build(r *Registered) *registration.Service { return r.build() }
