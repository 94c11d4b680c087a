package health

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// targetsFile is the targets file: where services run. Its format:
//
//	default:                        # optional: for services with no entry
//	  address: 127.0.0.1:9090       # host:port, for every check kind
//	services:                       # optional: by full service name
//	  library.v1.LibraryService:
//	    grpc_address: lib:9090      # host:port, gRPC checks only
//	    http_address: https://lib:8443   # host:port or URL, HTTP checks only
//
// Every entry has address, grpc_address and http_address, all optional;
// grpc_address and http_address win over address. Unknown keys are errors.
type targetsFile struct {
	Default  *targetEntry            `yaml:"default"`
	Services map[string]*targetEntry `yaml:"services"`
}

// targetEntry is where one service, or every service by default, runs.
type targetEntry struct {
	Address     string `yaml:"address"`
	GRPCAddress string `yaml:"grpc_address"`
	HTTPAddress string `yaml:"http_address"`
}

// forKind returns the entry's address for a check kind, if it has one.
func (e *targetEntry) forKind(k Kind) string {
	if e == nil {
		return ""
	}
	switch {
	case k == KindGRPC && e.GRPCAddress != "":
		return e.GRPCAddress
	case k == KindHTTP && e.HTTPAddress != "":
		return e.HTTPAddress
	}
	return e.Address
}

// validate checks every address of the entry; where names the entry in
// error messages.
func (e *targetEntry) validate(where string) []error {
	if e == nil {
		return []error{fmt.Errorf("%s: empty entry: give address, grpc_address or http_address", where)}
	}
	var errs []error
	if e.Address == "" && e.GRPCAddress == "" && e.HTTPAddress == "" {
		errs = append(errs, fmt.Errorf("%s: empty entry: give address, grpc_address or http_address", where))
	}
	if e.Address != "" {
		if err := validateHostPort(e.Address); err != nil {
			errs = append(errs, fmt.Errorf("%s.address: %v", where, err))
		}
	}
	if e.GRPCAddress != "" {
		if err := validateHostPort(e.GRPCAddress); err != nil {
			errs = append(errs, fmt.Errorf("%s.grpc_address: %v", where, err))
		}
	}
	if e.HTTPAddress != "" {
		if err := validateHTTPAddress(e.HTTPAddress); err != nil {
			errs = append(errs, fmt.Errorf("%s.http_address: %v", where, err))
		}
	}
	return errs
}

// serviceNames returns the file's service names, sorted so that error
// messages come in a stable order.
func (f *targetsFile) serviceNames() []string {
	names := make([]string, 0, len(f.Services))
	for name := range f.Services {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// readTargetsFile reads and checks a targets file. Whether its services
// exist is checked later, against the registration files.
func readTargetsFile(name string) (*targetsFile, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("targets file: %w", err)
	}
	var f targetsFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty targets file", name)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	var errs []error
	if f.Default != nil {
		errs = append(errs, f.Default.validate(name+": default")...)
	}
	for _, svc := range f.serviceNames() {
		errs = append(errs, f.Services[svc].validate(name+": services."+svc)...)
	}
	if f.Default == nil && len(f.Services) == 0 {
		errs = append(errs, fmt.Errorf("%s: neither default nor services is given", name))
	}
	return &f, errors.Join(errs...)
}

// flagTarget is one --target flag.
type flagTarget struct {
	raw     string
	service string
	address string
}

// parseTargetFlags parses --target SERVICE=ADDRESS flags.
func parseTargetFlags(list []string) ([]flagTarget, error) {
	var targets []flagTarget
	var errs []error
	seen := map[string]bool{}
	for _, raw := range list {
		svc, addr, ok := strings.Cut(raw, "=")
		switch {
		case !ok || svc == "" || addr == "":
			errs = append(errs, fmt.Errorf("--target %q: want SERVICE=ADDRESS", raw))
			continue
		case seen[svc]:
			errs = append(errs, fmt.Errorf("--target %q: service %s has another --target", raw, svc))
			continue
		}
		seen[svc] = true
		if err := validateHostPort(addr); err != nil {
			errs = append(errs, fmt.Errorf("--target %q: %v", raw, err))
			continue
		}
		targets = append(targets, flagTarget{raw: raw, service: svc, address: addr})
	}
	return targets, errors.Join(errs...)
}

// addressBook finds where a service runs, in the order the help text
// gives: --target, the file's entry for the service, --http-addr and
// --addr, the file's default.
type addressBook struct {
	flags    []flagTarget
	file     *targetsFile
	addr     string
	httpAddr string
}

func (b addressBook) lookup(service string, kind Kind) (string, bool) {
	for _, t := range b.flags {
		if t.service == service {
			return t.address, true
		}
	}
	if b.file != nil {
		if a := b.file.Services[service].forKind(kind); a != "" {
			return a, true
		}
	}
	if kind == KindHTTP && b.httpAddr != "" {
		return b.httpAddr, true
	}
	if b.addr != "" {
		return b.addr, true
	}
	if b.file != nil {
		if a := b.file.Default.forKind(kind); a != "" {
			return a, true
		}
	}
	return "", false
}

// validateHostPort checks a host:port address: a host, and a port number
// from 1 to 65535.
func validateHostPort(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("invalid address %q: want host:port", addr)
	}
	if host == "" {
		return fmt.Errorf("invalid address %q: no host", addr)
	}
	if strings.ContainsAny(host, "/ ") {
		return fmt.Errorf("invalid address %q: invalid host %q", addr, host)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("invalid address %q: port %q is not a number from 1 to 65535", addr, port)
	}
	return nil
}

// validateHTTPAddress checks an address for HTTP checks: host:port, or an
// http or https URL with nothing after the host and port.
func validateHTTPAddress(addr string) error {
	if !strings.Contains(addr, "://") {
		return validateHostPort(addr)
	}
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("invalid URL %q: %v", addr, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("invalid URL %q: scheme must be http or https", addr)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("invalid URL %q: no host", addr)
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("invalid URL %q: want only scheme, host and port; the path comes from the registration", addr)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("invalid URL %q: port %q is not a number from 1 to 65535", addr, p)
		}
	}
	return nil
}

// httpURL is the URL an HTTP check fetches: the address with its scheme
// (https for host:port with --tls) and the health path.
func httpURL(addr, healthPath string, useTLS bool) string {
	if strings.Contains(addr, "://") {
		return strings.TrimSuffix(addr, "/") + healthPath
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	return scheme + "://" + addr + healthPath
}
