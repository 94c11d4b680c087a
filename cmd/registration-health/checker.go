package main

import (
	"context"
	"net"
	"net/http"
	"runtime/debug"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// maxBodyBytes bounds how much of an HTTP health response is read, as in
// Kubernetes' HTTP probe.
const maxBodyBytes = 10 << 10

// maxRedirects bounds a chain of same-host redirects, as in Kubernetes.
const maxRedirects = 10

// checker runs checks. It holds what every check of a run shares: the HTTP
// client, the gRPC dial options, headers and timeouts.
type checker struct {
	plan      *runPlan
	transport *http.Transport
	client    *http.Client
	grpcOpts  []grpc.DialOption
}

func newChecker(p *runPlan) *checker {
	transport := &http.Transport{
		// Probes go straight to the service, as kubelet's do: no proxy
		// from the environment, no keep-alive (each check tests a fresh
		// connection and leaves no idle one behind), no compression.
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: p.connectTimeout}).DialContext,
		TLSClientConfig:     p.tls,
		TLSHandshakeTimeout: p.connectTimeout,
		DisableKeepAlives:   true,
		DisableCompression:  true,
	}
	creds := insecure.NewCredentials()
	if p.tls != nil {
		creds = credentials.NewTLS(p.tls.Clone())
	}
	return &checker{
		plan:      p,
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
				MinConnectTimeout: p.connectTimeout,
			}),
		},
	}
}

// probe runs one check once.
func (c *checker) probe(ctx context.Context, ch check) Result {
	if ch.kind == KindHTTP {
		return c.probeHTTP(ctx, ch)
	}
	return c.probeGRPC(ctx, ch)
}

// close releases what the checker holds once no check runs any more.
func (c *checker) close() {
	c.transport.CloseIdleConnections()
}

// userAgent is sent with every check.
func userAgent() string {
	return programName + "/" + version()
}

// version is the module version the binary was built from.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}
