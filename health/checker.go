package health

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// Name is the checker's name: its checks send Name/Version as their
// User-Agent, and the lines Run writes to stderr start with it.
const Name = "registration-health"

// modulePath is the module this package is part of, to find its version
// in a binary that embeds it.
const modulePath = "github.com/ovasabi/protoc-gen-registration"

// Defaults of Options, Monitor and Config.
const (
	DefaultTimeout          = 2 * time.Second
	DefaultConnectTimeout   = time.Second
	DefaultConcurrency      = 1024
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
// one address, of one kind.
type Check struct {
	// Service is the service's full name; empty for a whole-server check.
	Service string
	// Kind is the kind of check.
	Kind Kind
	// Address is where the service runs: host:port for a gRPC check. For
	// an HTTP check it only labels the result (URL is fetched): host:port
	// or a base URL.
	Address string
	// GRPCService is the grpc.health.v1 service name a gRPC check sends:
	// usually the service's full name; empty asks about the whole server.
	GRPCService string
	// URL is the URL an HTTP check fetches.
	URL string
}

// Options are what every check of a Checker shares. The zero value is
// usable: plaintext, no headers, default timeouts.
type Options struct {
	// Timeout bounds one whole check, connection included; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// ConnectTimeout bounds the connection, TLS handshake included; zero
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

// Checker runs checks. It holds what every check shares: the HTTP
// client, the gRPC dial options, headers and timeouts. A Checker is safe
// for concurrent use.
type Checker struct {
	opts      Options
	transport *http.Transport
	client    *http.Client
	grpcOpts  []grpc.DialOption
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
	transport := &http.Transport{
		// Probes go straight to the service, as kubelet's do: no proxy
		// from the environment, no keep-alive (each check tests a fresh
		// connection and leaves no idle one behind), no compression.
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: o.ConnectTimeout}).DialContext,
		TLSClientConfig:     o.TLS,
		TLSHandshakeTimeout: o.ConnectTimeout,
		DisableKeepAlives:   true,
		DisableCompression:  true,
	}
	creds := insecure.NewCredentials()
	if o.TLS != nil {
		creds = credentials.NewTLS(o.TLS.Clone())
	}
	return &Checker{
		opts:      o,
		transport: transport,
		client:    &http.Client{Transport: transport, CheckRedirect: sameHostRedirects},
		grpcOpts: []grpc.DialOption{
			grpc.WithTransportCredentials(creds),
			grpc.WithUserAgent(userAgent()),
			// A health check needs no service config, and looking it up
			// in DNS would slow every check down.
			grpc.WithDisableServiceConfig(),
			grpc.WithConnectParams(grpc.ConnectParams{
				Backoff:           backoff.DefaultConfig,
				MinConnectTimeout: o.ConnectTimeout,
			}),
		},
	}
}

// Probe runs one check once, bounded by the timeout. When ctx ends first,
// the check ends at once and its result says that it was canceled.
func (c *Checker) Probe(ctx context.Context, ch Check) Result {
	if ch.Kind == KindHTTP {
		return c.probeHTTP(ctx, ch)
	}
	return c.probeGRPC(ctx, ch)
}

// Batch runs every check once, at most concurrency at a time (all at once
// when concurrency is less than 1), and returns the results in the order
// of checks. Each check is bounded by its timeout, so the whole batch
// takes about one timeout per concurrency checks that hang. When ctx
// ends, checks still running end at once and report that they were
// canceled.
func (c *Checker) Batch(ctx context.Context, checks []Check, concurrency int) []Result {
	if concurrency < 1 {
		concurrency = len(checks)
	}
	results := make([]Result, len(checks))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(concurrency, len(checks)) {
		wg.Go(func() {
			for i := range jobs {
				results[i] = c.Probe(ctx, checks[i])
			}
		})
	}
	for i := range checks {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}

// Close releases what the checker holds once no check runs any more.
func (c *Checker) Close() {
	c.transport.CloseIdleConnections()
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
