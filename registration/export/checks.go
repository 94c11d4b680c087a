package export

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// Checks are the health checks of services, as registration-health would
// run them: from the same flags and targets file, read by the health
// package's one reader.
type Checks struct {
	// ByService are the checks of each service by full name, in the order
	// of the check kinds (--check, or the targets file's check key).
	ByService map[string][]health.Check
	// Timeout is the timeout of checks that set none: --timeout.
	Timeout time.Duration
}

// CheckDefaults fill in what a check leaves zero: registration-health's
// flags of the same names, for the settings that only its monitor uses.
type CheckDefaults struct {
	Interval         time.Duration
	FailureThreshold int
	SuccessThreshold int
}

// DefaultCheckDefaults are registration-health's defaults.
func DefaultCheckDefaults() CheckDefaults {
	return CheckDefaults{
		Interval:         health.DefaultInterval,
		FailureThreshold: health.DefaultFailureThreshold,
		SuccessThreshold: health.DefaultSuccessThreshold,
	}
}

// Plan returns the checks of services from c, a registration-health
// configuration whose Files are ignored: c's addresses (Targets,
// TargetsFile, Addr, HTTPAddr) say where services run and its Check which
// kinds of check they get. It plans them with health.Config.Plan, as
// services read already (from standard input, merged directories or
// etcd). Every service must carry its health facts: a service
// without them is an error naming it, rather than checks on defaults the
// registration never stated.
func Plan(services []*registration.Service, c health.Config) (*Checks, error) {
	var errs []error
	for _, s := range services {
		if s.Health == nil || s.Health.GRPCService == "" || s.Health.HTTPPath == "" {
			errs = append(errs, fmt.Errorf("service %s: the registration has no health facts (health.grpc_service and http_path): regenerate it with a current protoc-gen-registration", s.Name))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if len(services) == 0 {
		return &Checks{ByService: map[string][]health.Check{}, Timeout: c.Timeout}, nil
	}
	c.Files, c.Registered, c.RegisteredFrom = nil, services, "the registrations"
	p, err := c.Plan()
	if err != nil {
		return nil, err
	}
	checks := &Checks{ByService: map[string][]health.Check{}, Timeout: p.Options.Timeout}
	for _, ch := range p.Checks {
		if ch.Service != "" { // not a whole-server check
			checks.ByService[ch.Service] = append(checks.ByService[ch.Service], ch)
		}
	}
	return checks, nil
}

// hostPort splits a check's host:port address; a Unix socket, which
// neither Consul's checks nor Kubernetes' probes reach, is an error.
func hostPort(service string, ch health.Check) (string, int, error) {
	addr := ch.Address
	if strings.HasPrefix(addr, "unix:") {
		return "", 0, fmt.Errorf("service %s: %s check address %s: want host:port, not a Unix socket", service, ch.Kind, ch.Address)
	}
	if ch.Kind == health.KindHTTP {
		u, err := url.Parse(ch.URL)
		if err != nil || u.Host == "" {
			return "", 0, fmt.Errorf("service %s: %s check URL %s: want http(s)://host:port", service, ch.Kind, ch.URL)
		}
		addr = u.Host
		if u.Port() == "" {
			addr = net.JoinHostPort(u.Hostname(), map[string]string{"http": "80", "https": "443"}[u.Scheme])
		}
	}
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("service %s: %s check address %s: want host:port, not a Unix socket", service, ch.Kind, ch.Address)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("service %s: %s check address %s: want a port number from 1 to 65535", service, ch.Kind, ch.Address)
	}
	return host, port, nil
}

// settings are a check's monitor settings with the defaults filled in.
func (d CheckDefaults) settings(ch health.Check) (interval time.Duration, failures, successes int) {
	interval, failures, successes = ch.Interval, ch.FailureThreshold, ch.SuccessThreshold
	if interval == 0 {
		interval = d.Interval
	}
	if failures == 0 {
		failures = d.FailureThreshold
	}
	if successes == 0 {
		successes = d.SuccessThreshold
	}
	return interval, failures, successes
}

// timeout is a check's timeout, or the plan's when the check has none.
func (c *Checks) timeout(ch health.Check) time.Duration {
	if ch.Timeout != 0 {
		return ch.Timeout
	}
	return c.Timeout
}
