package main

import (
	"crypto/tls"
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

// Config is the command line, as parsed. Nothing in it has been checked:
// resolve checks all of it, reads every input file and returns the plan of
// the run, or every problem it found.
type Config struct {
	Files []string // registration files, in command-line order

	Targets     []string // --target SERVICE=ADDRESS
	TargetsFile string
	Addr        string
	HTTPAddr    string

	Services    []string // --service globs
	Exclude     []string
	Check       string
	ServerCheck bool
	HTTPPath    string
	Headers     []string

	TLS           bool
	TLSCACert     string
	TLSClientCert string
	TLSClientKey  string
	TLSServerName string
	TLSNoVerify   bool

	ConnectTimeout time.Duration
	Timeout        time.Duration
	Concurrency    int

	Output string

	Monitor          bool
	Interval         time.Duration
	Jitter           float64
	FailureThreshold int
	SuccessThreshold int
	Listen           string

	showVersion bool
	// set records the flags given on the command line, to reject monitor
	// flags without --monitor.
	set map[string]bool
}

// check is one health check to run: one service (or one whole server) at
// one address, of one kind.
type check struct {
	service  string // full name; empty for a whole-server check
	kind     Kind
	address  string // host:port, or the URL given for an HTTP check
	grpcName string // grpc.health.v1 service name (gRPC)
	url      string // URL to fetch (HTTP)
}

// monitorOptions are the settings of monitor mode.
type monitorOptions struct {
	interval         time.Duration
	jitter           float64
	failureThreshold int
	successThreshold int
	listen           string
}

// runPlan is a validated Config with its files read: everything a run
// needs and nothing that can still fail because of the user's input.
type runPlan struct {
	checks         []check
	header         http.Header // sent with HTTP checks
	host           string      // Host header for HTTP checks, if given
	md             metadata.MD // sent with gRPC checks
	tls            *tls.Config // nil without --tls
	connectTimeout time.Duration
	timeout        time.Duration
	concurrency    int
	output         string // "" picks table on a terminal, json otherwise
	monitor        *monitorOptions
	warnings       []string
}

// resolve is the one place where the command line is checked. It checks
// flag values first, then reads the registration, targets and TLS files,
// then matches targets and selection against the services. Every error
// names the flag, file or service at fault, and all of them are returned
// at once. No check starts before it succeeds.
func (c *Config) resolve() (*runPlan, error) {
	p := &runPlan{
		connectTimeout: c.ConnectTimeout,
		timeout:        c.Timeout,
		concurrency:    c.Concurrency,
		output:         c.Output,
	}
	kinds, flagTargets, errs := c.checkValues(p)

	services, warnings, err := loadServices(c.Files, c.HTTPPath)
	if err != nil {
		errs = append(errs, err)
	}
	p.warnings = warnings
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
	return p, nil
}

// checkValues checks every flag value, reading the TLS files, and fills
// in p what the flags decide.
func (c *Config) checkValues(p *runPlan) ([]Kind, []flagTarget, []error) {
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
	case "", formatTable, formatJSON, formatYAML:
	default:
		fail("--output %q: want table, json or yaml", c.Output)
	}
	if c.Timeout <= 0 {
		fail("--timeout %v: must be positive", c.Timeout)
	}
	if !c.set["connect-timeout"] && c.ConnectTimeout > c.Timeout {
		p.connectTimeout = c.Timeout // the default gives way to a shorter --timeout
	} else if c.ConnectTimeout <= 0 || c.ConnectTimeout > c.Timeout {
		fail("--connect-timeout %v: must be positive and at most --timeout (%v)", c.ConnectTimeout, c.Timeout)
	}
	if c.Concurrency < 1 {
		fail("--concurrency %d: must be at least 1", c.Concurrency)
	}
	if !strings.HasPrefix(c.HTTPPath, "/") {
		fail("--http-path %q: must start with /", c.HTTPPath)
	}
	for _, g := range append(append([]string(nil), c.Services...), c.Exclude...) {
		if _, err := path.Match(g, ""); err != nil {
			fail("glob %q: %v", g, err)
		}
	}
	if p.header, p.host, p.md, err = parseHeaders(c.Headers); err != nil {
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
			if c.set[name] {
				fail("--%s needs --tls", name)
			}
		}
	} else if p.tls, err = loadTLSConfig(c); err != nil {
		errs = append(errs, err)
	}
	return kinds, flagTargets, errs
}

// checkMonitor checks the monitor flags, which need --monitor.
func (c *Config) checkMonitor(p *runPlan) []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !c.Monitor {
		for _, name := range []string{"interval", "jitter", "failure-threshold", "success-threshold", "listen"} {
			if c.set[name] {
				fail("--%s needs --monitor", name)
			}
		}
		return errs
	}
	p.monitor = &monitorOptions{
		interval:         c.Interval,
		jitter:           c.Jitter,
		failureThreshold: c.FailureThreshold,
		successThreshold: c.SuccessThreshold,
		listen:           c.Listen,
	}
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
// p.checks: one check per selected service and kind, and with
// --server-check one whole-server check per gRPC address, those first.
func (c *Config) planChecks(p *runPlan, kinds []Kind, services []*service, flagTargets []flagTarget, file *targetsFile) []error {
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
	var serverChecks, checks []check
	for _, s := range selected {
		for _, kind := range kinds {
			addr, ok := addrs.lookup(s.name, kind)
			if !ok {
				fail("service %s: no %s address: give --target %s=ADDRESS, a targets file entry or --addr", s.name, kind, s.name)
				continue
			}
			ch := check{service: s.name, kind: kind, address: addr}
			switch kind {
			case KindGRPC:
				ch.grpcName = s.grpcName
				if c.ServerCheck && !serverAddrs[addr] {
					serverAddrs[addr] = true
					serverChecks = append(serverChecks, check{kind: KindGRPC, address: addr})
				}
			case KindHTTP:
				ch.url = httpURL(addr, s.httpPath, c.TLS)
			}
			checks = append(checks, ch)
		}
	}
	p.checks = append(serverChecks, checks...)
	return errs
}

// checkKinds parses --check.
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

// parseHeaders parses --header values. Every header goes to HTTP checks;
// all but Host also go to gRPC checks as metadata (lower-cased keys).
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
