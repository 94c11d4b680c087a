package main

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// service is a registered service as far as health checks go.
type service struct {
	name     string // full name
	grpcName string // grpc.health.v1 service name
	httpPath string
	file     string // first registration file that lists it
}

// loadServices reads registration files and returns their services in
// file order, each once. Files written before health existed have no
// health section: such a service is checked under its full name and at
// defaultHTTPPath. A service listed again (a per-file registration beside
// an aggregate one) keeps its first entry; a warning says so when the two
// disagree about health.
func loadServices(files []string, defaultHTTPPath string) ([]*service, []string, error) {
	var (
		services []*service
		warnings []string
		errs     []error
	)
	byName := map[string]*service{}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("registration file: %w", err))
			continue
		}
		reg, err := registration.Unmarshal(name, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, rs := range reg.Services {
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
		errs = append(errs, fmt.Errorf("no services in %s", strings.Join(files, ", ")))
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
		if !matchesAny(services, g) {
			errs = append(errs, fmt.Errorf("--service %q matches no service in the registration files", g))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	var selected []*service
	for _, s := range services {
		if (len(include) == 0 || matchGlobs(include, s.name)) && !matchGlobs(exclude, s.name) {
			selected = append(selected, s)
		}
	}
	if len(selected) == 0 {
		return nil, errors.New("--exclude leaves no service to check")
	}
	return selected, nil
}

func matchesAny(services []*service, glob string) bool {
	for _, s := range services {
		if ok, _ := path.Match(glob, s.name); ok {
			return true
		}
	}
	return false
}

func matchGlobs(globs []string, name string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(g, name); ok {
			return true
		}
	}
	return false
}
