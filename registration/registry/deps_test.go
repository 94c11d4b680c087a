package registry

import (
	"os/exec"
	"strings"
	"testing"
)

// TestGeneratedCodeDeps: a program that imports generated code links
// neither YAML nor a JSON Schema validator, nor anything of this module
// beyond the model, the registry and the registration options. Reading
// files is package codec's, registry/override's and load's.
func TestGeneratedCodeDeps(t *testing.T) {
	const generated = "github.com/ovasabi/protoc-gen-registration/example/gen/go/library/v1"
	out, err := exec.Command("go", "list", "-deps", generated).CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", generated, err, out)
	}
	const module = "github.com/ovasabi/protoc-gen-registration/"
	allowed := map[string]bool{
		module + "registration":               true,
		module + "registration/registry":      true,
		module + "proto/registration/v1":      true, // the example's protos use the options
		module + "example/gen/go/identity/v1": true, // library's messages import identity's
		module + "example/gen/go/library/v1":  true,
	}
	var deps []string
	for _, pkg := range strings.Fields(string(out)) {
		deps = append(deps, pkg)
		switch {
		case strings.HasPrefix(pkg, "go.yaml.in/yaml"), strings.HasPrefix(pkg, "gopkg.in/yaml"),
			strings.HasPrefix(pkg, "github.com/santhosh-tekuri/jsonschema"):
			t.Errorf("generated code links %s", pkg)
		case strings.HasPrefix(pkg, module) && !allowed[pkg]:
			t.Errorf("generated code links %s", pkg)
		}
	}
	if len(deps) < 10 || !allowed[deps[len(deps)-1]] {
		t.Fatalf("go list -deps gave no list of packages:\n%s", out)
	}
}
