package main

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

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// TestGRPCCheck runs grpc.health.v1 checks against real servers with the
// real health service on loopback.
func TestGRPCCheck(t *testing.T) {
	const timeout = 400 * time.Millisecond
	serving := startGRPC(t, false)
	serving.set(healthpb.HealthCheckResponse_SERVING, "health.v1.Service")
	notServing := startGRPC(t, false)
	notServing.set(healthpb.HealthCheckResponse_NOT_SERVING, "health.v1.Service")
	unknown := startGRPC(t, false) // knows only "", the whole server
	noHealth := startGRPC(t, true)
	withMetadata := startGRPC(t, false, grpc.UnaryInterceptor(requireMetadata("x-probe", "yes")))
	withMetadata.set(healthpb.HealthCheckResponse_SERVING, "health.v1.Service")

	for _, tc := range []struct {
		name   string
		addr   string
		args   []string
		status Status
		detail string
		err    string
	}{
		{name: "serving", addr: serving.addr, status: StatusHealthy, detail: "SERVING"},
		{name: "not serving", addr: notServing.addr, status: StatusUnhealthy, detail: "NOT_SERVING", err: "serving status NOT_SERVING"},
		{name: "unknown service", addr: unknown.addr, status: StatusRequestFailed, detail: "NotFound",
			err: `the health service does not know "health.v1.Service"`},
		{name: "no health service", addr: noHealth.addr, status: StatusNoHealthService, detail: "Unimplemented",
			err: "the server has no grpc.health.v1.Health service"},
		{name: "refused", addr: closedAddr(t), status: StatusConnectionFailed, err: "connect: connection refused"},
		{name: "hang", addr: startHung(t).addr(), status: StatusConnectionFailed, err: "timeout: no connection within 400ms"},
		{name: "reset", addr: startReset(t).addr(), status: StatusConnectionFailed, err: "connection reset by peer"},
		{name: "metadata", addr: withMetadata.addr, args: []string{"--header", "X-Probe: yes"}, status: StatusHealthy},
		{name: "missing metadata", addr: withMetadata.addr, status: StatusRequestFailed, detail: "PermissionDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := writeRegistration(t, t.TempDir(), "reg.json", testService("health.v1.Service"))
			args := append([]string{"--addr", tc.addr, "--timeout", timeout.String(), reg}, tc.args...)
			start := time.Now()
			code, rep, stderr := runJSON(t, args...)
			took := time.Since(start)
			r := resultFor(t, rep, "health.v1.Service", KindGRPC)
			if r.Status != tc.status || code != tc.status.exitCode() {
				t.Errorf("status %s, exit code %d; want %s, %d\n%+v\n%s", r.Status, code, tc.status, tc.status.exitCode(), r, stderr)
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
// section, and the empty name with --server-check, once per address.
func TestGRPCHealthNames(t *testing.T) {
	s := startGRPC(t, false)
	s.set(healthpb.HealthCheckResponse_SERVING, "custom-name", "old.v1.Service")
	s.set(healthpb.HealthCheckResponse_NOT_SERVING, "") // the whole server
	custom := testService("new.v1.Service")
	custom.Health.GRPCService = "custom-name"
	old := &registration.Service{Name: "old.v1.Service", Package: "old.v1", File: "old.proto"}
	reg := writeRegistration(t, t.TempDir(), "reg.json", custom, old)

	code, rep, stderr := runJSON(t, "--addr", s.addr, reg)
	if code != 0 || len(rep.Results) != 2 {
		t.Fatalf("exit code %d, %d results; want 0, 2\n%+v\n%s", code, len(rep.Results), rep, stderr)
	}
	if r := resultFor(t, rep, "new.v1.Service", KindGRPC); r.Target != "custom-name" || r.Status != StatusHealthy {
		t.Errorf("new.v1.Service: %+v", r)
	}
	if r := resultFor(t, rep, "old.v1.Service", KindGRPC); r.Target != "old.v1.Service" || r.Status != StatusHealthy {
		t.Errorf("old.v1.Service: %+v", r)
	}

	code, rep, _ = runJSON(t, "--addr", s.addr, "--server-check", reg)
	if code != exitUnhealthy || len(rep.Results) != 3 {
		t.Fatalf("exit code %d, %d results; want 4, 3\n%+v", code, len(rep.Results), rep)
	}
	if r := rep.Results[0]; r.Service != "" || r.Target != "" || r.Status != StatusUnhealthy || r.Detail != "NOT_SERVING" {
		t.Errorf("server check: %+v", r)
	}
}

// TestGRPCTLS checks gRPC over TLS: a CA file, a client certificate, a
// server name, --tls-no-verify, and the failures without them.
func TestGRPCTLS(t *testing.T) {
	p := newPKI(t)
	plain := startGRPC(t, false, p.grpcCreds(p.serverCert, false))
	mtls := startGRPC(t, false, p.grpcCreds(p.serverCert, true))
	named := startGRPC(t, false, p.grpcCreds(p.issue(t, "named", x509.ExtKeyUsageServerAuth, []string{"svc.test"}, nil), false))
	for _, s := range []*grpcServer{plain, mtls, named} {
		s.set(healthpb.HealthCheckResponse_SERVING, "health.v1.Service")
	}
	reg := writeRegistration(t, t.TempDir(), "reg.json", testService("health.v1.Service"))
	client := []string{"--tls-client-cert", p.clientCert, "--tls-client-key", p.clientKey}

	for _, tc := range []struct {
		name   string
		addr   string
		args   []string
		status Status
		err    string
	}{
		{"CA file", plain.addr, []string{"--tls", "--tls-ca-cert", p.caFile}, StatusHealthy, ""},
		{"mutual TLS", mtls.addr, append([]string{"--tls", "--tls-ca-cert", p.caFile}, client...), StatusHealthy, ""},
		{"server name", named.addr, []string{"--tls", "--tls-ca-cert", p.caFile, "--tls-server-name", "svc.test"}, StatusHealthy, ""},
		{"wrong server name", named.addr, []string{"--tls", "--tls-ca-cert", p.caFile}, StatusConnectionFailed,
			"cannot validate certificate for 127.0.0.1"},
		{"unknown CA", plain.addr, []string{"--tls"}, StatusConnectionFailed, "certificate signed by unknown authority"},
		{"no verify", plain.addr, []string{"--tls", "--tls-no-verify"}, StatusHealthy, ""},
		{"plaintext to TLS server", plain.addr, nil, StatusConnectionFailed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--addr", tc.addr, "--timeout", "1s", reg}, tc.args...)
			code, rep, stderr := runJSON(t, args...)
			r := resultFor(t, rep, "health.v1.Service", KindGRPC)
			if r.Status != tc.status || code != tc.status.exitCode() || !strings.Contains(r.Error, tc.err) {
				t.Errorf("got %s (exit %d) %q; want %s %q\n%s", r.Status, code, r.Error, tc.status, tc.err, stderr)
			}
		})
	}

	// Without a client certificate, the server ends the connection after
	// the handshake: a failure, never a pass.
	code, rep, _ := runJSON(t, "--addr", mtls.addr, "--timeout", "1s", "--tls", "--tls-ca-cert", p.caFile, reg)
	if r := resultFor(t, rep, "health.v1.Service", KindGRPC); r.Status == StatusHealthy || code == 0 {
		t.Errorf("mutual TLS without a client certificate: %+v, exit %d", r, code)
	}
}
