package health

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

	"github.com/ovasabi/protoc-gen-registration/registration"
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
	// is checked once, as the first file describes it. Without files,
	// Addr or HTTPAddr is one server to check: see Plan.
	Files []string
	// Registered are services that the caller has read already, from
	// wherever they come (merged directories, etcd), planned in place of
	// those of Files; RegisteredFrom names them in messages.
	Registered     []*registration.Service
	RegisteredFrom string

	// Targets say where services run, as "SERVICE=ADDRESS" (--target).
	Targets []string
	// TargetsFile is a YAML file of addresses and of settings per service
	// and check kind (--targets); see Plan.
	TargetsFile string
	// Addr is the address, host:port or unix:/PATH, of services with no
	// other address (--addr).
	Addr string
	// HTTPAddr is the address of HTTP checks with no other address:
	// host:port, unix:/PATH, http://host:port or https://host:port
	// (--http-addr).
	HTTPAddr string

	// Services are globs in path.Match syntax: only services whose full
	// name matches one are checked; all when there is none (--service).
	// Without Files, they are the names of the services to check.
	Services []string
	// Exclude are globs of services not to check (--exclude).
	Exclude []string
	// Check is the checks run per service, unless the targets file says
	// otherwise: "grpc", "http", "tcp", "both" (grpc and http), or a comma
	// list such as "grpc,tcp" (--check).
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

	// TLS makes host:port addresses use TLS, https for HTTP (--tls), for
	// the check kinds that the targets file gives no tls settings for.
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
	// with /healthz and /readyz, in monitor mode (--listen).
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
	// Checks are one check per selected service and kind, each with its
	// own settings, after one whole-server check per gRPC address (and
	// TLS configuration) with ServerCheck.
	Checks []Check
	// Options are the options of the Checker that runs the checks. Its
	// TLS is nil: each check carries its own.
	Options Options
	// Concurrency bounds the checks started at once, in a batch or a
	// monitor.
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
	// OnChange, in monitor mode, when not nil, is also called with each
	// change of reported status, after it is written, one call at a time
	// (see Monitor.OnChange): where a program that runs the plan
	// publishes statuses elsewhere, such as into etcd. Plan leaves it nil.
	// The monitor waits for it: it must not block.
	OnChange func(Event)
	// Warnings are about input that is suspect but usable: a service that
	// two registration files describe differently.
	Warnings []string
}

// Plan is the one place where a Config is checked. It checks values
// first, then reads the registration, targets and TLS files, then
// matches targets and selection against the services. Every error names
// the flag, file (and key) or service at fault, one a line, and all of
// them are returned at once.
//
// # One target, without registration files
//
// With no Files, Addr or HTTPAddr is the one server to check, as
// grpc-health-probe does: without Services, the whole server (the empty
// grpc.health.v1 name, or HTTPPath for HTTP checks); with Services, each
// of them by name (taken literally, not as globs), and results name
// services as they were given.
//
// # Where services run
//
// For each service and check kind, the first address found wins: Targets;
// the targets file's entry for the service (its kind block's address,
// then grpc_address or http_address, then address; a TCP check tries
// tcp.address, address, then grpc_address); HTTPAddr (HTTP checks), then
// Addr; the targets file's default entry, the same way. An address is
// host:port or a Unix socket, unix:/PATH or unix:///PATH (an absolute
// path); an HTTP address may also be http://host:port or
// https://host:port.
//
// # The targets file
//
// TargetsFile is YAML (JSON is YAML too):
//
//	default:                        # for every service without its own value
//	  address: 127.0.0.1:9090
//	  timeout: 1s
//	services:                       # by full service name
//	  library.v1.LibraryService:
//	    check: [grpc, http, tcp]    # kinds for this service; default: Check
//	    address: lib:9090           # every kind
//	    grpc_address: lib:9090      # gRPC (and TCP) checks
//	    http_address: https://lib:8443  # HTTP checks: host:port, unix:/PATH or a URL
//	    timeout: 500ms              # Go duration, positive
//	    interval: 10s               # monitor only, as are the thresholds
//	    failure_threshold: 3
//	    success_threshold: 1
//	    grpc:
//	      address: lib:9090
//	      timeout: 300ms
//	      tls: {ca: ca.pem, cert: client.pem, key: client-key.pem, server_name: lib.internal, insecure: false}
//	      metadata: {authorization: "Bearer x"}
//	    http:
//	      address: https://lib:8443
//	      method: GET                 # any HTTP method token
//	      path: /readyz               # instead of the registration's health path
//	      headers: {X-Probe: "1"}     # Host: is the Host header
//	      expect_status: [200, 204]   # instead of 200 to 399
//	      body_match: '"status":\s*"ok"'   # RE2, on the first 10 KiB of the body
//	      tls: {ca: private-ca.pem}
//	    tcp:
//	      address: lib:9090
//
// Each setting is taken from the first of: the service's kind block
// (grpc, http, tcp), the service's entry, the default's kind block, the
// default entry, the flags (Config's fields); a path in the file also
// wins over the registration's health path. Headers and metadata are
// merged key by key in that order, over Headers. A kind block's tls key
// turns TLS on for that kind only (a host:port HTTP address becomes
// https); "tls: {}" (or "tls: true") uses the system roots, "tls: false"
// turns TLS off over a default's tls or TLS. Kinds the file gives no tls
// for follow TLS and the TLSCACert family. TLS file names are relative
// to the targets file's directory. Each check carries its TLS
// configuration (one per distinct setting, so that equal ones share a
// connection), and the plan's Options.TLS stays nil. The monitor keys
// (interval and the thresholds) are checked but do nothing without
// Monitor, so that one file serves both modes.
//
// Unknown keys are errors that give the key's path and line, and so is
// an entry for a service that is in no registration file, a Services glob
// that matches nothing, and a selected service with no address.
func (c *Config) Plan() (*Plan, error) {
	pl := &planner{
		c: c,
		p: &Plan{
			Options:     Options{ConnectTimeout: c.ConnectTimeout, Timeout: c.Timeout},
			Concurrency: c.Concurrency,
			Output:      c.Output,
		},
		literal: len(c.Files) == 0 && c.Registered == nil,
	}
	pl.checkValues()

	if pl.literal {
		pl.services = literalServices(c.Services, c.HTTPPath)
	} else if c.Registered != nil {
		services, warnings, err := servicesOf([]namedServices{{c.RegisteredFrom, c.Registered}}, c.HTTPPath)
		if err != nil {
			pl.errs = append(pl.errs, err)
		}
		pl.services, pl.p.Warnings = services, warnings
	} else {
		services, warnings, err := loadServices(c.Files, c.HTTPPath)
		if err != nil {
			pl.errs = append(pl.errs, err)
		}
		pl.services, pl.p.Warnings = services, warnings
	}
	if c.TargetsFile != "" {
		file, err := readTargetsFile(c.TargetsFile)
		if err != nil {
			pl.errs = append(pl.errs, err)
		}
		pl.file = file
	}
	if len(pl.errs) > 0 {
		return nil, errors.Join(pl.errs...)
	}

	// Every input is read and well formed: match them against each other.
	if pl.planChecks(); len(pl.errs) > 0 {
		return nil, errors.Join(pl.errs...)
	}
	p := pl.p
	p.TargetHistogram = c.TargetHistogram
	if c.Monitor {
		again := *c
		p.Reload, p.Replan = c.Reload, again.Plan
	}
	return p, nil
}

// planner is a Plan being made, and what it is made from.
type planner struct {
	c *Config
	p *Plan
	// literal says that there are no registration files: services are
	// the Services names, or the whole server.
	literal  bool
	kinds    []Kind
	targets  []flagTarget
	flagTLS  *tls.Config // of TLS and the TLSCACert family; nil without TLS
	file     *targetsFile
	services []*service
	errs     []error
}

func (pl *planner) fail(format string, args ...any) {
	pl.errs = append(pl.errs, fmt.Errorf(format, args...))
}

// checkValues checks every value, reading the TLS files, and fills in the
// plan what the values decide.
func (pl *planner) checkValues() {
	c, p, fail := pl.c, pl.p, pl.fail
	var err error
	if pl.literal && c.Addr == "" && c.HTTPAddr == "" {
		fail("no registration file given: give registration files, or check one server with --addr HOST:PORT (and --service NAME for one service by name)")
	}
	if pl.kinds, err = parseKinds([]string{c.Check}); err != nil {
		fail("--check %v", err)
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
	globs := c.Exclude
	if pl.literal {
		for _, name := range c.Services {
			if name == "" || strings.ContainsAny(name, " \t\n") {
				fail("--service %q: want a full service name", name)
			}
		}
		if len(c.Exclude) > 0 {
			fail("--exclude needs registration files; without them, --service names the services to check")
		}
	} else {
		globs = append(append([]string(nil), c.Services...), c.Exclude...)
	}
	for _, g := range globs {
		if _, err := path.Match(g, ""); err != nil {
			fail("glob %q: %v", g, err)
		}
	}
	if p.Options.Header, p.Options.Host, p.Options.Metadata, err = parseHeaders(c.Headers); err != nil {
		pl.errs = append(pl.errs, err)
	}
	if c.ServerCheck && !slices.Contains(pl.kinds, KindGRPC) && c.TargetsFile == "" {
		fail("--server-check needs gRPC checks (--check grpc or both)")
	}
	if c.Addr != "" {
		if err := validateAddress(c.Addr); err != nil {
			fail("--addr: %v", err)
		}
	}
	if c.HTTPAddr != "" {
		if err := validateHTTPAddress(c.HTTPAddr); err != nil {
			fail("--http-addr: %v", err)
		}
	}
	if pl.targets, err = parseTargetFlags(c.Targets); err != nil {
		pl.errs = append(pl.errs, err)
	}
	pl.errs = append(pl.errs, c.checkMonitor(p)...)
	if !c.TLS {
		for _, name := range []string{"tls-ca-cert", "tls-client-cert", "tls-client-key", "tls-server-name", "tls-no-verify"} {
			if c.Given[name] {
				fail("--%s needs --tls", name)
			}
		}
	} else if pl.flagTLS, err = loadTLSConfig(c); err != nil {
		pl.errs = append(pl.errs, err)
	}
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
// the plan's checks: one per selected service and kind, and with
// ServerCheck one whole-server check per gRPC address and TLS
// configuration, those first.
func (pl *planner) planChecks() {
	c, fail := pl.c, pl.fail
	known := make(map[string]bool, len(pl.services))
	for _, s := range pl.services {
		known[s.name] = true
	}
	unknown := "is in no registration file"
	if pl.literal {
		unknown = "is not given with --service"
	}
	for _, t := range pl.targets {
		if !known[t.service] {
			fail("--target %q: service %s %s", t.raw, t.service, unknown)
		}
	}
	if pl.file != nil {
		for _, name := range pl.file.serviceNames() {
			if !known[name] {
				fail("%s: services: %s %s", c.TargetsFile, name, unknown)
			}
		}
	}
	selected := pl.services
	if !pl.literal {
		var err error
		if selected, err = selectServices(pl.services, c.Services, c.Exclude); err != nil {
			pl.errs = append(pl.errs, err)
		}
	}
	if len(pl.errs) > 0 {
		return
	}

	addrs := addressBook{flags: pl.targets, file: pl.file, addr: c.Addr, httpAddr: c.HTTPAddr}
	servers := map[connKey]bool{}
	anyGRPC := false
	var serverChecks, checks []Check
	for _, s := range selected {
		entries := pl.file.entries(s.name)
		kinds := pl.kinds
		for _, e := range entries {
			if e.kinds != nil {
				kinds = e.kinds
				break
			}
		}
		for _, kind := range kinds {
			addr, ok := addrs.lookup(s.name, kind)
			switch {
			case !ok && s.name == "":
				fail("the whole server: no %s address: give --addr", kind)
				continue
			case !ok:
				fail("service %s: no %s address: give --target %s=ADDRESS, a targets file entry or --addr", s.name, kind, s.name)
				continue
			}
			ch := pl.check(s, kind, addr, entries)
			if kind == KindGRPC {
				anyGRPC = true
				// One whole-server check per connection, with the
				// settings of the first check over it.
				if key := (connKey{address: addr, tls: ch.TLS}); s.name == "" {
					servers[key] = true
				} else if c.ServerCheck && !servers[key] {
					servers[key] = true
					server := ch
					server.Service, server.GRPCService = "", ""
					serverChecks = append(serverChecks, server)
				}
			}
			checks = append(checks, ch)
		}
	}
	if c.ServerCheck && !anyGRPC {
		fail("--server-check needs gRPC checks (--check grpc or both, or check: [grpc] in the targets file)")
	}
	pl.p.Checks = append(serverChecks, checks...)
}

// check is the check of a service of one kind at addr, with the settings
// of entries (the service's targets file entry, then the default), of the
// registration and of the flags, the nearest first.
func (pl *planner) check(s *service, kind Kind, addr string, entries []*targetEntry) Check {
	ch := Check{Service: s.name, Kind: kind, Address: addr}
	var (
		tlsBlock   *tlsBlock
		grpcBlocks []*grpcBlock
		httpBlocks []*httpBlock
	)
	for _, e := range slices.Backward(entries) { // the nearest last, to win
		if t := e.timeout(kind); t != nil {
			ch.Timeout = *t
		}
		if e.Interval != nil {
			ch.Interval = *e.Interval
		}
		if e.FailureThreshold != nil {
			ch.FailureThreshold = *e.FailureThreshold
		}
		if e.SuccessThreshold != nil {
			ch.SuccessThreshold = *e.SuccessThreshold
		}
		if b := e.tls(kind); b != nil {
			tlsBlock = b
		}
		grpcBlocks = append(grpcBlocks, e.GRPC)
		httpBlocks = append(httpBlocks, e.HTTP)
	}

	switch kind {
	case KindGRPC:
		ch.GRPCService = s.grpcName
		switch {
		case tlsBlock == nil:
			ch.TLS = pl.flagTLS
		case !tlsBlock.off:
			ch.TLS = tlsBlock.config
		}
		ch.Metadata = mergeMetadata(pl.p.Options.Metadata, grpcBlocks...)
	case KindHTTP:
		useTLS, config := pl.c.TLS, pl.flagTLS
		if tlsBlock != nil {
			useTLS, config = !tlsBlock.off, tlsBlock.config
		}
		healthPath := s.httpPath
		for _, b := range httpBlocks {
			if b == nil {
				continue
			}
			if b.Path != "" {
				healthPath = b.Path
			}
			if b.Method != "" {
				ch.Method = b.Method
			}
			if b.ExpectStatus != nil {
				ch.ExpectStatus = b.ExpectStatus
			}
			if b.bodyMatch != nil {
				ch.BodyMatch = b.bodyMatch
			}
			if b.host != "" {
				ch.Host = b.host
			}
		}
		ch.URL = httpURL(addr, healthPath, useTLS)
		if strings.HasPrefix(ch.URL, "https://") {
			ch.TLS = config
		}
		ch.Header = mergeHeader(pl.p.Options.Header, httpBlocks...)
	}
	return ch
}

// parseKinds parses check kinds: each item is grpc, http, tcp, both (grpc
// and http), or a comma list of them. It returns the kinds in order, each
// once.
func parseKinds(items []string) ([]Kind, error) {
	var kinds []Kind
	add := func(ks ...Kind) {
		for _, k := range ks {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	for _, item := range items {
		for _, word := range strings.Split(item, ",") {
			switch strings.TrimSpace(word) {
			case "grpc":
				add(KindGRPC)
			case "http":
				add(KindHTTP)
			case "tcp":
				add(KindTCP)
			case "both":
				add(KindGRPC, KindHTTP)
			default:
				return nil, fmt.Errorf("%q: want grpc, http, tcp, both (grpc and http), or a comma list such as grpc,tcp", item)
			}
		}
	}
	if len(kinds) == 0 {
		return nil, errors.New("no check kind: want grpc, http, tcp or both")
	}
	return kinds, nil
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
