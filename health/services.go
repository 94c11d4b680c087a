package health

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// service is a registered service as far as health checks go.
type service struct {
	name     string // full name
	grpcName string // grpc.health.v1 service name
	httpPath string
	file     string // first registration file that lists it
}

// loadServices reads registration files with the project's one reader and
// returns their services in file order, each once. Files written before
// health existed have no health section: such a service is checked under
// its full name and at defaultHTTPPath. A service listed again (a
// per-file registration beside an aggregate one) keeps its first entry,
// as load.Files keeps it; a warning says so when the two disagree about
// health. Files are read one by one, rather than with load.Files, to
// report every bad file at once and to see the duplicates.
func loadServices(files []string, defaultHTTPPath string) ([]*service, []string, error) {
	regs := make([]namedServices, 0, len(files))
	var errs []error
	for _, name := range files {
		// Health facts are the services': messages are stepped over.
		reg, err := load.Reader{ServicesOnly: true}.File(name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		regs = append(regs, namedServices{name, reg.Services})
	}
	services, warnings, err := servicesOf(regs, defaultHTTPPath)
	return services, warnings, errors.Join(append(errs, err)...)
}

// namedServices are the services of one registration, and the name
// messages give it (its file's).
type namedServices struct {
	name     string
	services []*registration.Service
}

// servicesOf returns the services of registrations read already, as
// loadServices does for files.
func servicesOf(regs []namedServices, defaultHTTPPath string) ([]*service, []string, error) {
	var (
		services []*service
		warnings []string
		errs     []error
	)
	byName := map[string]*service{}
	for _, reg := range regs {
		name := reg.name
		for _, rs := range reg.services {
			s, err := newService(name, rs, defaultHTTPPath)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if prev := byName[s.name]; prev != nil {
				if prev.grpcName != s.grpcName || prev.httpPath != s.httpPath {
					warnings = append(warnings, fmt.Sprintf("service %s: %s and %s disagree about health; using %s",
						s.name, prev.file, s.file, prev.file))
				}
				continue
			}
			byName[s.name] = s
			services = append(services, s)
		}
	}
	if len(errs) == 0 && len(services) == 0 {
		names := make([]string, len(regs))
		for i, r := range regs {
			names[i] = r.name
		}
		errs = append(errs, fmt.Errorf("no services in %s", strings.Join(names, ", ")))
	}
	return services, warnings, errors.Join(errs...)
}

func newService(file string, rs *registration.Service, defaultHTTPPath string) (*service, error) {
	if rs == nil || rs.Name == "" {
		return nil, fmt.Errorf("%s: a service has no name", file)
	}
	s := &service{name: rs.Name, grpcName: rs.Name, httpPath: defaultHTTPPath, file: file}
	if h := rs.Health; h != nil {
		if h.GRPCService != "" {
			s.grpcName = h.GRPCService
		}
		if h.HTTPPath != "" {
			if !strings.HasPrefix(h.HTTPPath, "/") {
				return nil, fmt.Errorf("%s: service %s: health http_path %q does not start with /", file, rs.Name, h.HTTPPath)
			}
			s.httpPath = h.HTTPPath
		}
	}
	return s, nil
}

// selectServices keeps the services that match an include glob (all of
// them when there is none) and no exclude glob. Globs use path.Match on
// full names. An include glob that matches no service at all is an error:
// it is almost always a typo.
func selectServices(services []*service, include, exclude []string) ([]*service, error) {
	var errs []error
	for _, g := range include {
		if !matchGlobs([]string{g}, services...) {
			errs = append(errs, fmt.Errorf("--service %q matches no service in the registration files", g))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var selected []*service
	for _, s := range services {
		if (len(include) == 0 || matchGlobs(include, s)) && !matchGlobs(exclude, s) {
			selected = append(selected, s)
		}
	}
	if len(selected) == 0 {
		return nil, errors.New("--exclude leaves no service to check")
	}
	return selected, nil
}

// matchGlobs reports whether one of the globs matches one of the
// services' full names.
func matchGlobs(globs []string, services ...*service) bool {
	for _, g := range globs {
		for _, s := range services {
			if ok, _ := path.Match(g, s.name); ok {
				return true
			}
		}
	}
	return false
}

// literalServices are the services of a run without registration files:
// each name given (with --service), checked under that name and at
// httpPath, or the whole server when none is.
func literalServices(names []string, httpPath string) []*service {
	if len(names) == 0 {
		return []*service{{httpPath: httpPath}}
	}
	var services []*service
	seen := map[string]bool{}
	for _, n := range names {
		if !seen[n] {
			seen[n] = true
			services = append(services, &service{name: n, grpcName: n, httpPath: httpPath})
		}
	}
	return services
}
