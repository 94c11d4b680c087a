package load

import (
	"strconv"

	"github.com/ovasabi/protoc-gen-registration/inference/pathtemplate"
	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// rules checks what the schema cannot say: a service is listed once, a
// method once in its service, and every binding path is a path template
// that the plugin would have accepted (inference/pathtemplate.Parse, which
// accepts "**" followed by more segments, as googleapis has it).
func rules(reg *registration.Registration) []problem {
	var out []problem
	services := make(map[string]int, len(reg.Services))
	for i, s := range reg.Services {
		si := strconv.Itoa(i)
		if first, dup := services[s.Name]; dup {
			out = append(out, problem{path: []string{"services", si, "name"},
				msg: "service " + excerpt.Quote(s.Name) + " is listed twice: first at " + pointer([]string{"services", strconv.Itoa(first)})})
		} else {
			services[s.Name] = i
		}
		methods := make(map[string]int, len(s.Methods))
		for j, m := range s.Methods {
			mj := strconv.Itoa(j)
			if first, dup := methods[m.Name]; dup {
				out = append(out, problem{path: []string{"services", si, "methods", mj, "name"},
					msg: "method " + excerpt.Quote(m.Name) + " is listed twice in service " + excerpt.Quote(s.Name) +
						": first at " + pointer([]string{"services", si, "methods", strconv.Itoa(first)})})
			} else {
				methods[m.Name] = j
			}
			for k, b := range m.Bindings {
				if _, err := pathtemplate.Parse(b.Path); err != nil {
					out = append(out, problem{path: []string{"services", si, "methods", mj, "bindings", strconv.Itoa(k), "path"}, msg: err.Error()})
				}
			}
		}
	}
	return out
}
