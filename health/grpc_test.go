package health

import (
	"context"
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// TestGRPCCheck runs grpc.health.v1 checks against real servers with the
// real health service on loopback.
func TestGRPCCheck(t *testing.T) {
	const timeout = 400 * time.Millisecond
	serving := healthtest.NewGRPCServer(t)
	serving.Set(healthpb.HealthCheckResponse_SERVING, "health.v1.Service")
	notServing := healthtest.NewGRPCServer(t)
	notServing.Set(healthpb.HealthCheckResponse_NOT_SERVING, "health.v1.Service")
	unknown := healthtest.NewGRPCServer(t) // knows only "", the whole server
	noHealth := healthtest.NewBareGRPCServer(t)
	withMetadata := healthtest.NewGRPCServer(t, grpc.UnaryInterceptor(requireMetadata("x-probe", "yes")))
	withMetadata.Set(healthpb.HealthCheckResponse_SERVING, "health.v1.Service")

	for _, tc := range []struct {
		name    string
		addr    string
		headers []string
		status  Status
		detail  string
		err     string
	}{
		{name: "serving", addr: serving.Addr, status: StatusHealthy, detail: "SERVING"},
		{name: "not serving", addr: notServing.Addr, status: StatusUnhealthy, detail: "NOT_SERVING", err: "serving status NOT_SERVING"},
		{name: "unknown service", addr: unknown.Addr, status: StatusRequestFailed, detail: "NotFound",
			err: `the health service does not know "health.v1.Service"`},
		{name: "no health service", addr: noHealth.Addr, status: StatusNoHealthService, detail: "Unimplemented",
			err: "the server has no grpc.health.v1.Health service"},
		{name: "refused", addr: healthtest.ClosedAddr(t), status: StatusConnectionFailed, err: "connect: connection refused"},
		{name: "hang", addr: healthtest.NewHungListener(t).Addr(), status: StatusConnectionFailed, err: "timeout: the server accepted the connection but sent nothing within 400ms"},
		{name: "reset", addr: healthtest.NewResetListener(t).Addr(), status: StatusConnectionFailed, err: "connection reset by peer"},
		{name: "metadata", addr: withMetadata.Addr, headers: []string{"X-Probe: yes"}, status: StatusHealthy},
		{name: "missing metadata", addr: withMetadata.Addr, status: StatusRequestFailed, detail: "PermissionDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("health.v1.Service")))
			c.Addr, c.Timeout, c.Headers = tc.addr, timeout, tc.headers
			start := time.Now()
			code, rep, stderr := runJSON(t, c)
			took := time.Since(start)
			r := resultFor(t, rep, "health.v1.Service", KindGRPC)
			if r.Status != tc.status || code != tc.status.ExitCode() {
				t.Errorf("status %s, exit code %d; want %s, %d\n%+v\n%s", r.Status, code, tc.status, tc.status.ExitCode(), r, stderr)
			}
			if tc.detail != "" && r.Detail != tc.detail {
				t.Errorf("detail %q, want %q", r.Detail, tc.detail)
			}
			if !strings.Contains(r.Error, tc.err) || (tc.status == StatusHealthy && r.Error != "") {
				t.Errorf("error %q, want %q", r.Error, tc.err)
			}
			if r.Target != "health.v1.Service" || r.Address != tc.addr {
				t.Errorf("target %q at %q", r.Target, r.Address)
			}
			if took > timeout+time.Second {
				t.Errorf("took %v, want about %v at most", took, timeout)
			}
		})
	}
}

// requireMetadata rejects calls without the metadata key=value.
func requireMetadata(key, value string) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		if v := md.Get(key); len(v) != 1 || v[0] != value {
			return nil, status.Errorf(codes.PermissionDenied, "metadata %s: %v", key, v)
		}
		return handler(ctx, req)
	}
}

// TestGRPCHealthNames checks which name each Check sends: the health
// name of the registration, the full name when there is no health
// section, and the empty name with ServerCheck, once per address.
func TestGRPCHealthNames(t *testing.T) {
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "custom.v1.HealthName", "old.v1.Service")
	s.Set(healthpb.HealthCheckResponse_NOT_SERVING, "") // the whole server
	custom := healthtest.Service("new.v1.Service")
	custom.Health.GRPCService = "custom.v1.HealthName"
	old := &registration.Service{Name: "old.v1.Service", Package: "old.v1", File: "old.proto", Methods: []*registration.Method{}}
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", custom, old))
	c.Addr = s.Addr

	code, rep, stderr := runJSON(t, c)
	if code != 0 || len(rep.Results) != 2 {
		t.Fatalf("exit code %d, %d results; want 0, 2\n%+v\n%s", code, len(rep.Results), rep, stderr)
	}
	if r := resultFor(t, rep, "new.v1.Service", KindGRPC); r.Target != "custom.v1.HealthName" || r.Status != StatusHealthy {
		t.Errorf("new.v1.Service: %+v", r)
	}
	if r := resultFor(t, rep, "old.v1.Service", KindGRPC); r.Target != "old.v1.Service" || r.Status != StatusHealthy {
		t.Errorf("old.v1.Service: %+v", r)
	}

	c.ServerCheck = true
	code, rep, _ = runJSON(t, c)
	if code != ExitUnhealthy || len(rep.Results) != 3 {
		t.Fatalf("exit code %d, %d results; want 4, 3\n%+v", code, len(rep.Results), rep)
	}
	if r := rep.Results[0]; r.Service != "" || r.Target != "" || r.Status != StatusUnhealthy || r.Detail != "NOT_SERVING" {
		t.Errorf("server check: %+v", r)
	}
}

// TestGRPCTLS checks gRPC over TLS: a CA file, a client certificate, a
// server name, TLSNoVerify, and the failures without them.
func TestGRPCTLS(t *testing.T) {
	p := newPKI(t)
	plain := healthtest.NewGRPCServer(t, p.grpcCreds(p.serverCert, false))
	mtls := healthtest.NewGRPCServer(t, p.grpcCreds(p.serverCert, true))
	named := healthtest.NewGRPCServer(t, p.grpcCreds(p.issue(t, "named", x509.ExtKeyUsageServerAuth, []string{"svc.test"}, nil), false))
	for _, s := range []*healthtest.GRPCServer{plain, mtls, named} {
		s.Set(healthpb.HealthCheckResponse_SERVING, "health.v1.Service")
	}
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("health.v1.Service"))
	config := func(addr string, set func(c *Config)) Config {
		c := testConfig(reg)
		c.Addr, c.Timeout = addr, time.Second
		set(&c)
		return c
	}
	caFile := func(c *Config) { c.TLS, c.TLSCACert = true, p.caFile }

	for _, tc := range []struct {
		name   string
		addr   string
		set    func(c *Config)
		status Status
		err    string
	}{
		{"CA file", plain.Addr, caFile, StatusHealthy, ""},
		{"mutual TLS", mtls.Addr, func(c *Config) {
			caFile(c)
			c.TLSClientCert, c.TLSClientKey = p.clientCert, p.clientKey
		}, StatusHealthy, ""},
		{"server name", named.Addr, func(c *Config) {
			caFile(c)
			c.TLSServerName = "svc.test"
		}, StatusHealthy, ""},
		{"wrong server name", named.Addr, caFile, StatusConnectionFailed, "cannot validate certificate for 127.0.0.1"},
		{"unknown CA", plain.Addr, func(c *Config) { c.TLS = true }, StatusConnectionFailed, "certificate signed by unknown authority"},
		{"no verify", plain.Addr, func(c *Config) { c.TLS, c.TLSNoVerify = true, true }, StatusHealthy, ""},
		{"plaintext to TLS server", plain.Addr, func(*Config) {}, StatusConnectionFailed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, rep, stderr := runJSON(t, config(tc.addr, tc.set))
			r := resultFor(t, rep, "health.v1.Service", KindGRPC)
			if r.Status != tc.status || code != tc.status.ExitCode() || !strings.Contains(r.Error, tc.err) {
				t.Errorf("got %s (exit %d) %q; want %s %q\n%s", r.Status, code, r.Error, tc.status, tc.err, stderr)
			}
		})
	}

	// Without a client certificate, the server ends the connection after
	// the handshake: a failure, never a pass.
	code, rep, _ := runJSON(t, config(mtls.Addr, caFile))
	if r := resultFor(t, rep, "health.v1.Service", KindGRPC); r.Status == StatusHealthy || code == 0 {
		t.Errorf("mutual TLS without a client certificate: %+v, exit %d", r, code)
	}
}
