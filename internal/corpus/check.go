package corpus

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"google.golang.org/genproto/googleapis/api/annotations"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
)

// Output is a plugin response's registrations, parsed, with the request's
// linked files to check them against.
type Output struct {
	Files *protoregistry.Files
	// Regs are the registrations by output file name; Names lists them
	// sorted.
	Regs  map[string]*registration.Registration
	Names []string
	// Services and Methods by full name: the first occurrence in name order.
	Services map[string]*registration.Service
	Methods  map[string]*registration.Method
}

// Parse reads a response's files, given by name, against the request's
// linked files. The entry "stderr", where tests keep warnings, is skipped.
func Parse(files *protoregistry.Files, outputs map[string]string) (*Output, error) {
	o := &Output{Files: files, Regs: make(map[string]*registration.Registration),
		Services: make(map[string]*registration.Service), Methods: make(map[string]*registration.Method)}
	for name, content := range outputs {
		if name == "stderr" {
			continue
		}
		reg, err := codec.Unmarshal(name, []byte(content))
		if err != nil {
			return nil, err
		}
		o.Regs[name] = reg
		o.Names = append(o.Names, name)
	}
	slices.Sort(o.Names)
	for _, name := range o.Names {
		for _, svc := range o.Regs[name].Services {
			if _, dup := o.Services[svc.Name]; dup {
				continue
			}
			o.Services[svc.Name] = svc
			for _, m := range svc.Methods {
				o.Methods[m.FullName] = m
			}
		}
	}
	return o, nil
}

// EachService calls fn for every service of every registration, in output
// name order: a service listed in several files is seen once per file.
func (o *Output) EachService(fn func(*registration.Service)) {
	for _, name := range o.Names {
		for _, svc := range o.Regs[name].Services {
			fn(svc)
		}
	}
}

// Counts are the sizes of an output.
type Counts struct {
	Services, Methods, Bindings, Diagnostics int
}

// Count counts the output's services, methods, bindings and diagnostics.
func (o *Output) Count() Counts {
	var c Counts
	o.EachService(func(svc *registration.Service) {
		c.Services++
		c.Methods += len(svc.Methods)
		for _, m := range svc.Methods {
			c.Bindings += len(m.Bindings)
		}
	})
	for _, name := range o.Names {
		c.Diagnostics += len(o.Regs[name].Diagnostics)
	}
	return c
}

// servicePackage returns the package of a service of the request, or "".
func (o *Output) servicePackage(name string) string {
	d, err := o.Files.FindDescriptorByName(protoreflect.FullName(name))
	if sd, ok := d.(protoreflect.ServiceDescriptor); err == nil && ok {
		return string(sd.ParentFile().Package())
	}
	return ""
}

// defaultHost returns the google.api.default_host of the service of a
// method of the request.
func (o *Output) defaultHost(method string) string {
	d, err := o.Files.FindDescriptorByName(protoreflect.FullName(method))
	md, ok := d.(protoreflect.MethodDescriptor)
	if err != nil || !ok {
		return ""
	}
	host, _ := proto.GetExtension(md.Parent().Options(), annotations.E_DefaultHost).(string)
	return host
}

// apiOf is the API and version of a package, or the package itself when
// it has no version.
func apiOf(pkg string) string {
	return cmp.Or(registration.APIVersion(pkg), pkg)
}

// Binding is what a google.api.http rule says about one binding.
type Binding struct {
	Method       string
	Custom       bool
	Path         string
	Body         string
	ResponseBody string
}

func (b Binding) String() string {
	return fmt.Sprintf("%s %s body=%q response_body=%q custom=%t", b.Method, b.Path, b.Body, b.ResponseBody, b.Custom)
}

// RuleBindings lists a rule and its additional bindings, as written.
func RuleBindings(rule *annotations.HttpRule) []Binding {
	one := func(r *annotations.HttpRule) Binding {
		b := Binding{Body: r.GetBody(), ResponseBody: r.GetResponseBody()}
		switch p := r.GetPattern().(type) {
		case *annotations.HttpRule_Get:
			b.Method, b.Path = "GET", p.Get
		case *annotations.HttpRule_Put:
			b.Method, b.Path = "PUT", p.Put
		case *annotations.HttpRule_Post:
			b.Method, b.Path = "POST", p.Post
		case *annotations.HttpRule_Delete:
			b.Method, b.Path = "DELETE", p.Delete
		case *annotations.HttpRule_Patch:
			b.Method, b.Path = "PATCH", p.Patch
		case *annotations.HttpRule_Custom:
			b.Method, b.Path, b.Custom = p.Custom.GetKind(), p.Custom.GetPath(), true
		}
		return b
	}
	out := []Binding{one(rule)}
	for _, add := range rule.GetAdditionalBindings() {
		out = append(out, one(add))
	}
	return out
}

// BindingFigures count the bindings of annotated methods.
type BindingFigures struct {
	// Methods is how many methods carry google.api.http, Bindings how many
	// bindings their rules have, Exact how many of those are registered as
	// written and in place.
	Methods, Bindings, Exact int
	// Problems describe each method whose annotation bindings differ.
	Problems []string
}

// Bindings compares, for every method of the files toGenerate with a
// google.api.http option, its registered bindings of source annotation
// with the rule and its additional bindings, in order: HTTP method, path
// exactly as written, body and response body.
func (o *Output) Bindings(toGenerate []string) BindingFigures {
	var f BindingFigures
	for _, name := range toGenerate {
		fd, err := o.Files.FindFileByPath(name)
		if err != nil {
			f.Problems = append(f.Problems, fmt.Sprintf("%s: not in the request", name))
			continue
		}
		for i := range fd.Services().Len() {
			methods := fd.Services().Get(i).Methods()
			for j := range methods.Len() {
				md := methods.Get(j)
				if !proto.HasExtension(md.Options(), annotations.E_Http) {
					continue
				}
				rule, _ := proto.GetExtension(md.Options(), annotations.E_Http).(*annotations.HttpRule)
				want := RuleBindings(rule)
				f.Methods++
				f.Bindings += len(want)
				m := o.Methods[string(md.FullName())]
				if m == nil {
					f.Problems = append(f.Problems, fmt.Sprintf("%s: not registered", md.FullName()))
					continue
				}
				var got []Binding
				for _, b := range m.Bindings {
					if b.Source == registration.SourceAnnotation {
						got = append(got, Binding{b.Method, b.Custom, b.Path, b.Body, b.ResponseBody})
					}
				}
				for k, w := range want {
					if k < len(got) && got[k] == w {
						f.Exact++
					}
				}
				if !slices.Equal(got, want) {
					f.Problems = append(f.Problems, fmt.Sprintf("%s: annotation bindings\n\t\tgot  %v\n\t\twant %v", md.FullName(), got, want))
				}
			}
		}
	}
	return f
}

// EdgeFigures count dependency edges.
type EdgeFigures struct {
	// Resolved counts edges to a service (not external), by kind.
	Resolved map[string]int
	// Crossing counts resolved edges to a service of another version of
	// the same API (registration.APIBase equal, APIVersion not), by kind;
	// All describes each of them.
	Crossing map[string]int
	All      []string
	// OwnedAtHome describes the crossing resource edges whose resource
	// type has an owner in the referring service's own API version, or
	// that do not say which type they refer to: registration.ResolveOwner's
	// rule 2 should have picked that owner.
	OwnedAtHome []string
	// Unresolved counts external resource dependencies.
	Unresolved int
}

// Edges looks at the resource and schema edges of every service.
func (o *Output) Edges() EdgeFigures {
	f := EdgeFigures{Resolved: make(map[string]int), Crossing: make(map[string]int)}
	// The API versions owning each resource type, as ResolveOwner counts
	// owners: services with a standard method on it.
	owners := make(map[string]map[string]bool)
	o.EachService(func(svc *registration.Service) {
		for _, m := range svc.Methods {
			if m.Resource != nil && m.Kind != registration.KindCustom {
				if owners[m.Resource.Type] == nil {
					owners[m.Resource.Type] = make(map[string]bool)
				}
				owners[m.Resource.Type][apiOf(svc.Package)] = true
			}
		}
	})
	o.EachService(func(svc *registration.Service) {
		for _, d := range svc.Dependencies {
			if d.Kind != registration.DependencyResource && d.Kind != registration.DependencySchema {
				continue
			}
			if d.External {
				if d.Kind == registration.DependencyResource {
					f.Unresolved++
				}
				continue
			}
			f.Resolved[d.Kind]++
			to := o.servicePackage(d.Service)
			base := registration.APIBase(svc.Package)
			if base == "" || base != registration.APIBase(to) || registration.APIVersion(svc.Package) == registration.APIVersion(to) {
				continue
			}
			f.Crossing[d.Kind]++
			edge := fmt.Sprintf("%s -> %s (%s, resource_type %q, resolution %q, evidence %v)", svc.Name, d.Service, d.Kind, d.ResourceType, d.Resolution, d.Evidence)
			f.All = append(f.All, edge)
			if d.Kind == registration.DependencyResource && (d.ResourceType == "" || owners[d.ResourceType][apiOf(svc.Package)]) {
				f.OwnedAtHome = append(f.OwnedAtHome, edge)
			}
		}
	})
	return f
}

// EventFigures count inferred events.
type EventFigures struct {
	Inferred int
	// Foreign describe the events that name a message of another API or
	// version than the service's; Missing those that name no message of
	// the request.
	Foreign, Missing []string
}

// Events looks at the message each inferred event names: the event's name
// without its last part.
func (o *Output) Events() EventFigures {
	var f EventFigures
	o.EachService(func(svc *registration.Service) {
		for _, e := range svc.Events {
			if e.Source != registration.SourceInferred {
				continue
			}
			f.Inferred++
			msg := e.Name[:max(strings.LastIndex(e.Name, "."), 0)]
			d, err := o.Files.FindDescriptorByName(protoreflect.FullName(msg))
			md, ok := d.(protoreflect.MessageDescriptor)
			switch {
			case err != nil || !ok:
				f.Missing = append(f.Missing, fmt.Sprintf("%s: event %s (method %s) names no message", svc.Name, e.Name, e.Method))
			case apiOf(string(md.ParentFile().Package())) != apiOf(svc.Package):
				f.Foreign = append(f.Foreign, fmt.Sprintf("%s: event %s (method %s) names a message of %s", svc.Name, e.Name, e.Method, md.ParentFile().Package()))
			}
		}
	})
	return f
}

// ConflictFigures count the conflicts listed, each once however many
// files list it.
type ConflictFigures struct {
	Unique int
	// AcrossHosts describe the conflicts between services whose default
	// hosts are both set and differ; Hostless those between a service
	// without one and a service with one.
	AcrossHosts, Hostless []string
}

// Conflicts looks up the default hosts of the services on both sides of
// every conflict.
func (o *Output) Conflicts() ConflictFigures {
	var f ConflictFigures
	seen := make(map[registration.Conflict]bool)
	for _, name := range o.Names {
		for _, c := range o.Regs[name].Conflicts {
			if seen[*c] {
				continue
			}
			seen[*c] = true
			f.Unique++
			a, b := o.defaultHost(c.First.RPC), o.defaultHost(c.Second.RPC)
			desc := fmt.Sprintf("%s %s (%s, host %q) and %s (%s, host %q)", c.Method, c.First.Path, c.First.RPC, a, c.Second.Path, c.Second.RPC, b)
			switch {
			case a != "" && b != "" && a != b:
				f.AcrossHosts = append(f.AcrossHosts, desc)
			case a != b:
				f.Hostless = append(f.Hostless, desc)
			}
		}
	}
	return f
}

// Examples joins at most n problems, one a line, saying how many were left
// out.
func Examples(problems []string, n int) string {
	if len(problems) <= n {
		return strings.Join(problems, "\n\t")
	}
	return strings.Join(problems[:n], "\n\t") + fmt.Sprintf("\n\t... and %d more", len(problems)-n)
}

// Percent is n of total as a percentage with two decimals, or "-" when
// total is zero.
func Percent(n, total int) string {
	if total == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(n)/float64(total))
}
