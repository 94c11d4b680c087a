package health

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"sync"
	"time"

	"google.golang.org/grpc/metadata"
)

// Name is the checker's name: its checks send Name/Version as their
// User-Agent, and the lines Run writes to stderr start with it.
const Name = "registration-health"

// modulePath is the module this package is part of, to find its version
// in a binary that embeds it.
const modulePath = "github.com/ovasabi/protoc-gen-registration"

// Defaults of Options, Monitor and Config. The default concurrency is
// not a constant: MachineConcurrency fits it to the machine.
const (
	DefaultTimeout          = 2 * time.Second
	DefaultConnectTimeout   = time.Second
	DefaultHTTPPath         = "/healthz"
	DefaultInterval         = 10 * time.Second
	DefaultJitter           = 0.1
	DefaultFailureThreshold = 3
	DefaultSuccessThreshold = 1
)

// maxBodyBytes bounds how much of an HTTP health response is read, as in
// Kubernetes' HTTP probe.
const maxBodyBytes = 10 << 10

// maxRedirects bounds a chain of same-host redirects, as in Kubernetes.
const maxRedirects = 10

// Check is one health check to run: one service, or one whole server, at
// one address, of one kind, with its own settings where it has them.
type Check struct {
	// Service is the service's full name; empty for a whole-server check.
	Service string
	// Kind is the kind of check.
	Kind Kind
	// Address is where the check connects: host:port, or unix:PATH for a
	// Unix socket. An HTTP check fetches URL, and connects to Address only
	// when it is a Unix socket; otherwise Address only labels the result
	// (host:port or a base URL).
	Address string
	// GRPCService is the grpc.health.v1 service name a gRPC check sends:
	// usually the service's full name; empty asks about the whole server.
	GRPCService string
	// URL is the URL an HTTP check fetches.
	URL string

	// Timeout bounds the whole check, from the start of its dial to its
	// answer; zero means the Checker's.
	Timeout time.Duration
	// TLS, when not nil, secures a gRPC check, and verifies the server of
	// an HTTP check of an https URL; nil means the Checker's. Checks of
	// one address share a connection only when they share this pointer.
	TLS *tls.Config
	// Header is sent with an HTTP check, Host as its Host header; nil and
	// "" mean the Checker's.
	Header http.Header
	Host   string
	// Metadata is sent with a gRPC check; nil means the Checker's.
	Metadata metadata.MD
	// Method is the method of an HTTP check; "" means GET.
	Method string
	// ExpectStatus are the HTTP statuses that pass; none means 200 to 399,
	// as in Kubernetes.
	ExpectStatus []int
	// BodyMatch, when not nil, must match the start of the body of an HTTP
	// answer (up to 10 KiB) for the check to pass.
	BodyMatch *regexp.Regexp

	// Interval, FailureThreshold and SuccessThreshold are this check's
	// settings in a Monitor; zero means the Monitor's.
	Interval         time.Duration
	FailureThreshold int
	SuccessThreshold int
}

// Options are what every check of a Checker shares, unless a Check says
// otherwise. The zero value is usable: plaintext, no headers, default
// timeouts.
type Options struct {
	// Timeout bounds one whole check, connection included; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// ConnectTimeout bounds the connection: TCP, the TLS handshake and the
	// server's first word (the HTTP/2 settings of a gRPC server); zero
	// means DefaultConnectTimeout, or Timeout if that is shorter.
	ConnectTimeout time.Duration
	// TLS, when not nil, secures gRPC checks, and HTTP checks of https
	// URLs. When nil, gRPC checks are plaintext and https URLs are
	// verified against the system roots.
	TLS *tls.Config
	// Header is sent with HTTP checks.
	Header http.Header
	// Host, when not empty, is the Host header of HTTP checks.
	Host string
	// Metadata is sent with gRPC checks.
	Metadata metadata.MD
}

// Checker runs checks. It holds what checks share: the HTTP transport,
// the gRPC connections (one per address and TLS configuration, shared by
// every check and Watch stream to it while any is running), headers and
// timeouts. A Checker is safe for concurrent use.
type Checker struct {
	opts      Options
	transport *http.Transport
	client    *http.Client
	// tlsClients are HTTP clients of checks with TLS settings of their
	// own, by *tls.Config.
	tlsClients sync.Map
	conns      *connPool
}

// NewChecker returns a Checker for checks with the given options. Call
// Close once no check runs any more.
func NewChecker(o Options) *Checker {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = min(DefaultConnectTimeout, o.Timeout)
	}
	dialer := &net.Dialer{Timeout: o.ConnectTimeout}
	transport := &http.Transport{
		// Probes go straight to the service, as kubelet's do: no proxy
		// from the environment, no keep-alive (each check tests a fresh
		// connection and leaves no idle one behind), no compression.
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			// An HTTP check of a Unix socket names it in the context.
			if path, ok := ctx.Value(unixSocketKey{}).(string); ok {
				return dialer.DialContext(ctx, "unix", path)
			}
			return dialer.DialContext(ctx, network, addr)
		},
		TLSClientConfig:     o.TLS,
		TLSHandshakeTimeout: o.ConnectTimeout,
		DisableKeepAlives:   true,
		DisableCompression:  true,
	}
	return &Checker{
		opts:      o,
		transport: transport,
		client:    &http.Client{Transport: transport, CheckRedirect: sameHostRedirects},
		conns:     newConnPool(o),
	}
}

// Probe runs one check once, bounded by its timeout from the start of its
// dial. When ctx ends first, the check ends at once and its result says
// that it was canceled.
func (c *Checker) Probe(ctx context.Context, ch Check) Result {
	switch ch.Kind {
	case KindHTTP:
		return c.probeHTTP(ctx, ch)
	case KindTCP:
		return c.probeTCP(ctx, ch)
	}
	return c.probeGRPC(ctx, ch)
}

// Batch runs every check once and returns the results in the order of
// checks. Checks start in order, each when one of concurrency slots is
// free (see MachineConcurrency; all at once when concurrency is less than
// 1); a check gives its slot up when it ends, or once it has waited much
// longer than checks that got an answer (see slots), so that targets that
// hang do not hold the fleet up: the whole batch takes little more than
// one timeout however many targets hang. Its deadline starts when it starts, not when the
// batch does. When ctx ends, checks still running end at once and report
// that they were canceled, and checks not started report it too.
func (c *Checker) Batch(ctx context.Context, checks []Check, concurrency int) []Result {
	if concurrency < 1 {
		concurrency = len(checks)
	}
	// Connections of checks that share them stay up until the last of
	// their checks is done.
	for key, n := range c.conns.keys(checks) {
		c.conns.reserve(key, n)
	}
	results := make([]Result, len(checks))
	slots := newSlots(concurrency)
	var wg sync.WaitGroup
	for i, ch := range checks {
		t, ok := slots.enter(ctx, slots.lease(c.timeout(ch)))
		if !ok {
			results[i] = c.canceled(ch)
			c.conns.unreserve(c.conns.keyOf(ch))
			continue
		}
		wg.Go(func() {
			defer t.leave()
			defer c.conns.unreserve(c.conns.keyOf(ch))
			results[i] = c.Probe(context.WithValue(ctx, ticketKey{}, t), ch)
			if results[i].answered() {
				slots.answered(results[i].Latency)
			}
		})
	}
	wg.Wait()
	return results
}

// canceled is the result of a check that never started.
func (c *Checker) canceled(ch Check) Result {
	r := newResult(ch)
	r.Status, r.Error = StatusConnectionFailed, "canceled"
	return r
}

// timeout is the timeout of a check.
func (c *Checker) timeout(ch Check) time.Duration {
	if ch.Timeout > 0 {
		return ch.Timeout
	}
	return c.opts.Timeout
}

// connectTimeout is the connect timeout of a check: the Checker's, or its
// own timeout when that is shorter.
func (c *Checker) connectTimeout(ch Check) time.Duration {
	return min(c.opts.ConnectTimeout, c.timeout(ch))
}

// Close closes every connection and releases what the checker holds. Call
// it once no check runs any more.
func (c *Checker) Close() {
	c.transport.CloseIdleConnections()
	c.tlsClients.Range(func(_, cl any) bool {
		cl.(*http.Client).CloseIdleConnections()
		return true
	})
	c.conns.closeAll()
}

// userAgent is sent with every check.
func userAgent() string {
	return Name + "/" + Version()
}

// Version is the version of this module in the running binary, or
// "(devel)" when the binary was not built from a module version.
func Version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "(devel)"
	}
	if info.Main.Path == modulePath && info.Main.Version != "" {
		return info.Main.Version
	}
	for _, d := range info.Deps {
		if d.Path == modulePath && d.Version != "" {
			return d.Version
		}
	}
	return "(devel)"
}
