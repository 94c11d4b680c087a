package health

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/http/httpguts"
	"google.golang.org/grpc/metadata"
)

// Config is a run of the checker as registration-health's command line
// describes it: registration files say what to check, addresses say
// where, and values are text as a user typed them. Nothing in it has been
// checked: Plan checks all of it. Start from DefaultConfig.
//
// Each field is named after the registration-health flag that sets it,
// given in its comment, and Plan's errors name fields by those flags
// ("--timeout 0s: must be positive"), so that a command built on Config
// reports them as its own.
type Config struct {
	// Files are the registration files, in order (the arguments):
	// registration.v1 documents, JSON or YAML, per proto file or
	// aggregate; "-" is standard input. A service listed in several files
	// is checked once, as the first file describes it.
	Files []string

	// Targets say where services run, as "SERVICE=ADDRESS" (--target).
	Targets []string
	// TargetsFile is a YAML file of addresses (--targets); see Plan.
	TargetsFile string
	// Addr is the host:port of services with no other address (--addr).
	Addr string
	// HTTPAddr is the address of HTTP checks with no other address:
	// host:port, http://host:port or https://host:port (--http-addr).
	HTTPAddr string

	// Services are globs in path.Match syntax: only services whose full
	// name matches one are checked; all when there is none (--service).
	Services []string
	// Exclude are globs of services not to check (--exclude).
	Exclude []string
	// Check is the checks run per service: "grpc", "http" or "both"
	// (--check).
	Check string
	// ServerCheck adds one gRPC check of the whole server (the empty
	// name) per gRPC address (--server-check).
	ServerCheck bool
	// HTTPPath is the HTTP health path of services whose registration
	// has none (--http-path).
	HTTPPath string
	// Headers are "NAME: VALUE" headers of HTTP checks, also sent as gRPC
	// metadata except Host (--header).
	Headers []string

	// TLS makes host:port addresses use TLS, https for HTTP (--tls).
	TLS bool
	// TLSCACert is a PEM file of CA certificates to verify servers with,
	// instead of the system roots (--tls-ca-cert).
	TLSCACert string
	// TLSClientCert and TLSClientKey are PEM files of a client
	// certificate and its key, for mutual TLS (--tls-client-cert,
	// --tls-client-key).
	TLSClientCert string
	TLSClientKey  string
	// TLSServerName is the name to verify server certificates against,
	// instead of the address's host (--tls-server-name).
	TLSServerName string
	// TLSNoVerify turns off the verification of server certificates
	// (--tls-no-verify; insecure).
	TLSNoVerify bool

	// ConnectTimeout bounds a connection, TLS handshake included
	// (--connect-timeout). Unless Given, it gives way to a shorter Timeout.
	ConnectTimeout time.Duration
	// Timeout bounds one whole check (--timeout).
	Timeout time.Duration
	// Concurrency bounds the checks started at once (--concurrency); 0
	// fits the machine: see MachineConcurrency.
	Concurrency int

	// Output is the output format: FormatTable, FormatJSON, FormatYAML,
	// or "" for a table on a terminal and JSON otherwise (--output).
	Output string

	// Monitor checks continuously, until Run's context ends (--monitor).
	Monitor bool
	// Interval, Jitter, FailureThreshold and SuccessThreshold are the
	// settings of monitor mode: see Monitor (--interval, --jitter,
	// --failure-threshold, --success-threshold).
	Interval         time.Duration
	Jitter           float64
	FailureThreshold int
	SuccessThreshold int
	// Listen is the address to serve Prometheus metrics at, at /metrics,
	// in monitor mode (--listen).
	Listen string
	// TargetHistogram adds a latency histogram per target to the metrics
	// (--target-histogram); off by default, as it is large.
	TargetHistogram bool

	// Reload, in monitor mode, asks for the files to be read again: on
	// each receive, Run plans this Config again and hands the new checks
	// to the monitor; a plan that fails is reported on stderr and the
	// monitor keeps its checks. registration-health sends on SIGHUP.
	Reload <-chan struct{}

	// Given holds the flag names of the fields set explicitly, as a
	// command line sets them ("interval", "tls-ca-cert", ...); it may be
	// nil. Plan rejects monitor and TLS settings given without Monitor or
	// TLS, which would do nothing, and checks a ConnectTimeout given
	// against Timeout rather than shortening it.
	Given map[string]bool
}

// DefaultConfig returns the defaults of registration-health's flags.
func DefaultConfig() Config {
	return Config{
		Check:            "grpc",
		HTTPPath:         DefaultHTTPPath,
		ConnectTimeout:   DefaultConnectTimeout,
		Timeout:          DefaultTimeout,
		Interval:         DefaultInterval,
		Jitter:           DefaultJitter,
		FailureThreshold: DefaultFailureThreshold,
		SuccessThreshold: DefaultSuccessThreshold,
	}
}

// Plan is a checked Config with its files read: everything a run needs
// and nothing that can still fail because of the user's input.
type Plan struct {
	// Checks are one check per selected service and kind, after one
	// whole-server check per gRPC address with ServerCheck.
	Checks []Check
	// Options are the options of the Checker that runs the checks.
	Options Options
	// Concurrency bounds the checks of a batch in flight at once.
	Concurrency int
	// Output is the output format; "" picks a table on a terminal and
	// JSON otherwise.
	Output string
	// Monitor, when not nil, asks for monitor mode, with its settings.
	Monitor *Monitor
	// Listen, in monitor mode, is where to serve metrics; "" for nowhere.
	Listen string
	// TargetHistogram adds a latency histogram per target to the metrics.
	TargetHistogram bool
	// Reload and Replan, in monitor mode, read the files again: see
	// Config.Reload. Replan plans the same Config again.
	Reload <-chan struct{}
	Replan func() (*Plan, error)
	// Warnings are about input that is suspect but usable: a service that
	// two registration files describe differently.
	Warnings []string
}

// Plan is the one place where a Config is checked. It checks values
// first, then reads the registration, targets and TLS files, then
// matches targets and selection against the services. Every error names
// the flag, file or service at fault, one a line, and all of them are
// returned at once.
//
// For each service and check kind, the first address found wins:
// Targets; the targets file's entry for the service (grpc_address or
// http_address, then address); HTTPAddr (HTTP checks), then Addr; the
// targets file's default entry, the same way. The targets file is YAML:
//
//	default:                          # optional: for services with no entry
//	  address: 127.0.0.1:9090         # host:port, for every check kind
//	services:                         # optional: by full service name
//	  library.v1.LibraryService:
//	    grpc_address: lib:9090        # host:port, gRPC checks only
//	    http_address: https://lib:8443  # host:port or URL, HTTP checks only
//
// Unknown keys are errors, and so is an entry or a target for a service
// that is in no registration file, a Services glob that matches nothing,
// and a selected service with no address.
func (c *Config) Plan() (*Plan, error) {
	p := &Plan{
		Options:     Options{ConnectTimeout: c.ConnectTimeout, Timeout: c.Timeout},
		Concurrency: c.Concurrency,
		Output:      c.Output,
	}
	kinds, flagTargets, errs := c.checkValues(p)

	services, warnings, err := loadServices(c.Files, c.HTTPPath)
	if err != nil {
		errs = append(errs, err)
	}
	p.Warnings = warnings
	var file *targetsFile
	if c.TargetsFile != "" {
		if file, err = readTargetsFile(c.TargetsFile); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	// Every input is read and well formed: match them against each other.
	if errs := c.planChecks(p, kinds, services, flagTargets, file); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	p.TargetHistogram = c.TargetHistogram
	if c.Monitor {
		again := *c
		p.Reload, p.Replan = c.Reload, again.Plan
	}
	return p, nil
}

// checkValues checks every value, reading the TLS files, and fills in p
// what the values decide.
func (c *Config) checkValues(p *Plan) ([]Kind, []flagTarget, []error) {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if len(c.Files) == 0 {
		fail("no registration file given")
	}
	kinds, err := checkKinds(c.Check)
	if err != nil {
		errs = append(errs, err)
	}
	switch c.Output {
	case "", FormatTable, FormatJSON, FormatYAML:
	default:
		fail("--output %q: want table, json or yaml", c.Output)
	}
	if c.Timeout <= 0 {
		fail("--timeout %v: must be positive", c.Timeout)
	}
	if !c.Given["connect-timeout"] && c.ConnectTimeout > c.Timeout {
		p.Options.ConnectTimeout = c.Timeout // the default gives way to a shorter timeout
	} else if c.ConnectTimeout <= 0 || c.ConnectTimeout > c.Timeout {
		fail("--connect-timeout %v: must be positive and at most --timeout (%v)", c.ConnectTimeout, c.Timeout)
	}
	switch {
	case c.Concurrency < 0:
		fail("--concurrency %d: must be at least 1, or 0 to fit the machine", c.Concurrency)
	case c.Concurrency == 0:
		p.Concurrency = MachineConcurrency()
	}
	if !strings.HasPrefix(c.HTTPPath, "/") {
		fail("--http-path %q: must start with /", c.HTTPPath)
	}
	for _, g := range append(append([]string(nil), c.Services...), c.Exclude...) {
		if _, err := path.Match(g, ""); err != nil {
			fail("glob %q: %v", g, err)
		}
	}
	if p.Options.Header, p.Options.Host, p.Options.Metadata, err = parseHeaders(c.Headers); err != nil {
		errs = append(errs, err)
	}
	if c.ServerCheck && !slices.Contains(kinds, KindGRPC) {
		fail("--server-check needs gRPC checks (--check grpc or both)")
	}
	if c.Addr != "" {
		if err := validateHostPort(c.Addr); err != nil {
			fail("--addr: %v", err)
		}
	}
	if c.HTTPAddr != "" {
		if err := validateHTTPAddress(c.HTTPAddr); err != nil {
			fail("--http-addr: %v", err)
		}
	}
	flagTargets, err := parseTargetFlags(c.Targets)
	if err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.checkMonitor(p)...)
	if !c.TLS {
		for _, name := range []string{"tls-ca-cert", "tls-client-cert", "tls-client-key", "tls-server-name", "tls-no-verify"} {
			if c.Given[name] {
				fail("--%s needs --tls", name)
			}
		}
	} else if p.Options.TLS, err = loadTLSConfig(c); err != nil {
		errs = append(errs, err)
	}
	return kinds, flagTargets, errs
}

// checkMonitor checks the settings of monitor mode, which need Monitor.
func (c *Config) checkMonitor(p *Plan) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !c.Monitor {
		for _, name := range []string{"interval", "jitter", "failure-threshold", "success-threshold", "listen", "target-histogram"} {
			if c.Given[name] {
				fail("--%s needs --monitor", name)
			}
		}
		return errs
	}
	p.Monitor = &Monitor{
		Interval:         c.Interval,
		Jitter:           c.Jitter,
		FailureThreshold: c.FailureThreshold,
		SuccessThreshold: c.SuccessThreshold,
	}
	p.Listen = c.Listen
	if c.Interval <= 0 {
		fail("--interval %v: must be positive", c.Interval)
	}
	if c.Jitter < 0 || c.Jitter > 1 {
		fail("--jitter %v: must be from 0 to 1", c.Jitter)
	}
	if c.FailureThreshold < 1 {
		fail("--failure-threshold %d: must be at least 1", c.FailureThreshold)
	}
	if c.SuccessThreshold < 1 {
		fail("--success-threshold %d: must be at least 1", c.SuccessThreshold)
	}
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			fail("--listen %q: %v", c.Listen, err)
		}
	}
	return errs
}

// planChecks matches targets and selection against the services and fills
// p.Checks: one check per selected service and kind, and with ServerCheck
// one whole-server check per gRPC address, those first.
func (c *Config) planChecks(p *Plan, kinds []Kind, services []*service, flagTargets []flagTarget, file *targetsFile) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	known := make(map[string]bool, len(services))
	for _, s := range services {
		known[s.name] = true
	}
	for _, t := range flagTargets {
		if !known[t.service] {
			fail("--target %q: service %s is in no registration file", t.raw, t.service)
		}
	}
	if file != nil {
		for _, name := range file.serviceNames() {
			if !known[name] {
				fail("%s: services: %s is in no registration file", c.TargetsFile, name)
			}
		}
	}
	selected, err := selectServices(services, c.Services, c.Exclude)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return errs
	}

	addrs := addressBook{flags: flagTargets, file: file, addr: c.Addr, httpAddr: c.HTTPAddr}
	serverAddrs := map[string]bool{}
	var serverChecks, checks []Check
	for _, s := range selected {
		for _, kind := range kinds {
			addr, ok := addrs.lookup(s.name, kind)
			if !ok {
				fail("service %s: no %s address: give --target %s=ADDRESS, a targets file entry or --addr", s.name, kind, s.name)
				continue
			}
			ch := Check{Service: s.name, Kind: kind, Address: addr}
			switch kind {
			case KindGRPC:
				ch.GRPCService = s.grpcName
				if c.ServerCheck && !serverAddrs[addr] {
					serverAddrs[addr] = true
					serverChecks = append(serverChecks, Check{Kind: KindGRPC, Address: addr})
				}
			case KindHTTP:
				ch.URL = httpURL(addr, s.httpPath, c.TLS)
			}
			checks = append(checks, ch)
		}
	}
	p.Checks = append(serverChecks, checks...)
	return errs
}

// checkKinds parses Check.
func checkKinds(s string) ([]Kind, error) {
	switch s {
	case "grpc":
		return []Kind{KindGRPC}, nil
	case "http":
		return []Kind{KindHTTP}, nil
	case "both":
		return []Kind{KindGRPC, KindHTTP}, nil
	}
	return nil, fmt.Errorf("--check %q: want grpc, http or both", s)
}

// parseHeaders parses Headers. Every header goes to HTTP checks; all but
// Host also go to gRPC checks as metadata (lower-cased keys).
func parseHeaders(list []string) (http.Header, string, metadata.MD, error) {
	h := http.Header{}
	md := metadata.MD{}
	var host string
	var errs []error
	for _, raw := range list {
		name, value, ok := strings.Cut(raw, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("--header %q: want NAME: VALUE", raw))
		case !httpguts.ValidHeaderFieldName(name):
			errs = append(errs, fmt.Errorf("--header %q: invalid header name %q", raw, name))
		case !httpguts.ValidHeaderFieldValue(value):
			errs = append(errs, fmt.Errorf("--header %q: invalid header value", raw))
		case strings.EqualFold(name, "Host"):
			host = value
		default:
			h.Add(name, value)
			md.Append(name, value)
		}
	}
	return h, host, md, errors.Join(errs...)
}
