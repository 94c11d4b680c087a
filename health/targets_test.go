package health

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// targetsConfig writes a registration of services and a targets file to
// dir and returns the Config of a run that reads both, with JSON output.
func targetsConfig(t *testing.T, dir, targets string, services ...string) Config {
	t.Helper()
	var regs []*registration.Service
	for _, s := range services {
		regs = append(regs, healthtest.Service(s))
	}
	c := testConfig(healthtest.WriteRegistration(t, dir, "reg.json", regs...))
	c.TargetsFile = healthtest.WriteFile(t, dir, "targets.yaml", targets)
	return c
}

// wantStatus fails the test unless the result of service and kind has
// status, and an error that holds errPart.
func wantStatus(t *testing.T, rep report, service string, kind Kind, status Status, errPart string) resultRecord {
	t.Helper()
	r := resultFor(t, rep, service, kind)
	if r.Status != status || !strings.Contains(r.Error, errPart) {
		t.Errorf("%s %s: %s %q; want %s %q", service, kind, r.Status, r.Error, status, errPart)
	}
	return r
}

// TestTargetsFileTLSPerKind checks that a kind's tls settings stay with
// that kind: in one run, a plaintext gRPC server and an HTTPS server
// whose certificate only the file's http.tls.ca (a path relative to the
// file) verifies are both healthy; and that tls: false turns --tls off
// for one service.
func TestTargetsFileTLSPerKind(t *testing.T) {
	p := newPKI(t)
	plain := healthtest.NewGRPCServer(t)
	plain.Set(healthpb.HealthCheckResponse_SERVING, "lib.v1.Lib", "plain.v1.Plain")
	web := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	web.TLS = p.serverTLS(p.serverCert, false)
	web.StartTLS()
	defer web.Close()
	secure := healthtest.NewGRPCServer(t, p.grpcCreds(p.serverCert, false))
	secure.Set(healthpb.HealthCheckResponse_SERVING, "secure.v1.Secure")

	// The targets file is beside ca.pem, which it names relatively.
	c := targetsConfig(t, p.dir, `
services:
  lib.v1.Lib:
    check: [grpc, http]
    grpc_address: `+plain.Addr+`
    http:
      address: `+web.Listener.Addr().String()+`
      tls: {ca: ca.pem}
`, "lib.v1.Lib")
	plan, err := c.Plan()
	if err != nil {
		t.Fatal(err)
	}
	if plan.Options.TLS != nil {
		t.Errorf("the plan's Options.TLS is set; TLS belongs to each check")
	}
	code, rep, stderr := runJSON(t, c)
	if code != ExitHealthy {
		t.Errorf("exit code %d, want 0\n%+v\n%s", code, rep.Results, stderr)
	}
	wantStatus(t, rep, "lib.v1.Lib", KindGRPC, StatusHealthy, "")
	if r := wantStatus(t, rep, "lib.v1.Lib", KindHTTP, StatusHealthy, ""); !strings.HasPrefix(r.Target, "https://") {
		t.Errorf("HTTP target %q, want https", r.Target)
	}

	// --tls with the CA flag secures the gRPC checks the file says
	// nothing about, and only those: tls: false keeps one plaintext.
	c = targetsConfig(t, t.TempDir(), `
services:
  secure.v1.Secure:
    address: `+secure.Addr+`
  plain.v1.Plain:
    address: `+plain.Addr+`
    grpc: {tls: false}
`, "secure.v1.Secure", "plain.v1.Plain")
	c.TLS, c.TLSCACert = true, p.caFile
	code, rep, stderr = runJSON(t, c)
	if code != ExitHealthy {
		t.Errorf("--tls and tls: false: exit code %d, want 0\n%+v\n%s", code, rep.Results, stderr)
	}
}

// TestTargetsFileTimeout checks that a service's timeout is honoured: a
// target that hangs, with timeout 200ms in its grpc block (over 4s in its
// entry), fails well within the run's --timeout of 5s.
func TestTargetsFileTimeout(t *testing.T) {
	hung := healthtest.NewHungListener(t)
	c := targetsConfig(t, t.TempDir(), `
services:
  slow.v1.Slow:
    address: `+hung.Addr()+`
    timeout: 4s
    grpc: {timeout: 200ms}
`, "slow.v1.Slow")
	c.Timeout = 5 * time.Second
	start := time.Now()
	code, rep, _ := runJSON(t, c)
	took := time.Since(start)
	if code != ExitConnectionFailure {
		t.Errorf("exit code %d, want %d", code, ExitConnectionFailure)
	}
	wantStatus(t, rep, "slow.v1.Slow", KindGRPC, StatusConnectionFailed, "200ms")
	if took > 2*time.Second {
		t.Errorf("took %v; want well under the run's 5s timeout", took)
	}
}

// TestTargetsFileHTTPSettings checks method, path, expect_status and
// body_match. The server answers HEAD /probe with 204 and GET /probe
// with 503: HEAD with expect_status [204] passes, the same with [200]
// fails, and GET (no method) fails. A body that does not match is
// unhealthy, with the pattern in the error.
func TestTargetsFileHTTPSettings(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/probe" && r.Method == http.MethodHead:
			w.WriteHeader(http.StatusNoContent)
		case r.URL.Path == "/probe":
			w.WriteHeader(http.StatusServiceUnavailable)
		case r.URL.Path == "/ok":
			w.Write([]byte(`{"status": "ok"}`))
		case r.URL.Path == "/degraded":
			w.Write([]byte(`{"status": "degraded"}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := targetsConfig(t, t.TempDir(), `
default:
  http_address: `+srv.URL+`
  check: [http]
  http: {path: /probe}
services:
  head.v1.Head:
    http: {method: HEAD, expect_status: [204]}
  want200.v1.Head:
    http: {method: HEAD, expect_status: [200]}
  get.v1.Get:
    http: {expect_status: 204}
  ok.v1.Body:
    http: {path: /ok, body_match: '"status":\s*"ok"'}
  degraded.v1.Body:
    http: {path: /degraded, body_match: '"status":\s*"ok"'}
`, "head.v1.Head", "want200.v1.Head", "get.v1.Get", "ok.v1.Body", "degraded.v1.Body")
	code, rep, _ := runJSON(t, c)
	if code != ExitUnhealthy {
		t.Errorf("exit code %d, want %d", code, ExitUnhealthy)
	}
	wantStatus(t, rep, "head.v1.Head", KindHTTP, StatusHealthy, "")
	wantStatus(t, rep, "want200.v1.Head", KindHTTP, StatusUnhealthy, "HTTP 204 No Content (want 200)")
	wantStatus(t, rep, "get.v1.Get", KindHTTP, StatusUnhealthy, "HTTP 503 Service Unavailable (want 204)")
	wantStatus(t, rep, "ok.v1.Body", KindHTTP, StatusHealthy, "")
	r := wantStatus(t, rep, "degraded.v1.Body", KindHTTP, StatusUnhealthy, `body does not match "\"status\":\\s*\"ok\""`)
	if r.Target != srv.URL+"/degraded" {
		t.Errorf("target %q, want %s/degraded", r.Target, srv.URL)
	}
	if len(rep.Results) != 5 {
		t.Errorf("%d results, want 5 (HTTP checks only, as the default's check says)", len(rep.Results))
	}
}

// TestTargetsFileHeadersAndMetadata checks that headers and metadata
// reach the servers, merged key by key: the service's over the
// default's over --header.
func TestTargetsFileHeadersAndMetadata(t *testing.T) {
	var mu sync.Mutex
	var gotHeader http.Header
	var gotHost string
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		gotHeader, gotHost = r.Header.Clone(), r.Host
		mu.Unlock()
	}))
	defer web.Close()
	var gotMD metadata.MD
	record := grpc.UnaryInterceptor(func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		md, _ := metadata.FromIncomingContext(ctx)
		mu.Lock()
		gotMD = md.Copy()
		mu.Unlock()
		return handler(ctx, req)
	})
	s := healthtest.NewGRPCServer(t, record)
	s.Set(healthpb.HealthCheckResponse_SERVING, "hdr.v1.Service")

	c := targetsConfig(t, t.TempDir(), `
default:
  http: {headers: {X-Probe: default, X-Default: d}}
  grpc: {metadata: {x-token: default, x-default: d}}
services:
  hdr.v1.Service:
    check: [grpc, http]
    grpc_address: `+s.Addr+`
    http_address: `+web.Listener.Addr().String()+`
    http: {headers: {X-Probe: "1", Host: probe.example}}
    grpc: {metadata: {x-token: abc}}
`, "hdr.v1.Service")
	c.Headers = []string{"X-Flag: f", "X-Probe: flag"}
	if code, rep, stderr := runJSON(t, c); code != ExitHealthy {
		t.Fatalf("exit code %d, want 0\n%+v\n%s", code, rep.Results, stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	for name, want := range map[string]string{"X-Probe": "1", "X-Default": "d", "X-Flag": "f"} {
		if got := strings.Join(gotHeader.Values(name), ","); got != want {
			t.Errorf("HTTP header %s: %q, want %q", name, got, want)
		}
	}
	if gotHost != "probe.example" {
		t.Errorf("HTTP Host %q, want probe.example", gotHost)
	}
	for key, want := range map[string]string{"x-token": "abc", "x-default": "d", "x-flag": "f", "x-probe": "flag"} {
		if got := strings.Join(gotMD.Get(key), ","); got != want {
			t.Errorf("gRPC metadata %s: %q, want %q", key, got, want)
		}
	}
}

// shortTempDir returns a temporary directory with a short path: a Unix
// socket's path has a limit of about 100 bytes, which t.TempDir's long
// names can pass.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "rh")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// TestTargetsFileUnixSockets checks a gRPC server and an HTTP server on
// Unix sockets, in both spellings of the address.
func TestTargetsFileUnixSockets(t *testing.T) {
	dir := shortTempDir(t)
	grpcLn, err := net.Listen("unix", filepath.Join(dir, "grpc.sock"))
	if err != nil {
		t.Fatal(err)
	}
	gs := grpc.NewServer()
	hs := grpchealth.NewServer()
	hs.SetServingStatus("sock.v1.Service", healthpb.HealthCheckResponse_SERVING)
	healthpb.RegisterHealthServer(gs, hs)
	go gs.Serve(grpcLn)
	t.Cleanup(gs.Stop)
	httpLn, err := net.Listen("unix", filepath.Join(dir, "http.sock"))
	if err != nil {
		t.Fatal(err)
	}
	var path atomic.Value
	web := &httptest.Server{Listener: httpLn, Config: &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path.Store(r.URL.Path)
	})}}
	web.Start()
	defer web.Close()

	c := targetsConfig(t, t.TempDir(), `
services:
  sock.v1.Service:
    check: [grpc, http, tcp]
    grpc: {address: "unix://`+filepath.Join(dir, "grpc.sock")+`"}
    http: {address: "unix:`+filepath.Join(dir, "http.sock")+`", path: /readyz}
    tcp: {address: "unix:`+filepath.Join(dir, "grpc.sock")+`"}
`, "sock.v1.Service")
	code, rep, stderr := runJSON(t, c)
	if code != ExitHealthy {
		t.Fatalf("exit code %d, want 0\n%+v\n%s", code, rep.Results, stderr)
	}
	if r := resultFor(t, rep, "sock.v1.Service", KindHTTP); r.Target != "http://localhost/readyz" || path.Load() != "/readyz" {
		t.Errorf("HTTP target %q, path served %v; want http://localhost/readyz, /readyz", r.Target, path.Load())
	}
}

// TestTargetsFileTCP checks TCP checks: healthy against a listener,
// connection_failed against a closed address, and --check with a comma
// list for services the file gives no kinds for.
func TestTargetsFileTCP(t *testing.T) {
	open := healthtest.NewCountingListener(t)
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "both.v1.Service")
	c := targetsConfig(t, t.TempDir(), `
services:
  open.v1.Service:
    check: [tcp]
    address: `+open.Addr()+`
  closed.v1.Service:
    check: tcp
    grpc_address: `+s.Addr+`
    tcp: {address: `+healthtest.ClosedAddr(t)+`}
  both.v1.Service:
    grpc_address: `+s.Addr+`
`, "open.v1.Service", "closed.v1.Service", "both.v1.Service")
	c.Check = "grpc,tcp"
	code, rep, _ := runJSON(t, c)
	if code != ExitConnectionFailure {
		t.Errorf("exit code %d, want %d", code, ExitConnectionFailure)
	}
	wantStatus(t, rep, "open.v1.Service", KindTCP, StatusHealthy, "")
	wantStatus(t, rep, "closed.v1.Service", KindTCP, StatusConnectionFailed, "connection refused")
	wantStatus(t, rep, "both.v1.Service", KindGRPC, StatusHealthy, "")
	wantStatus(t, rep, "both.v1.Service", KindTCP, StatusHealthy, "")
	if len(rep.Results) != 4 {
		t.Errorf("%d results, want 4:\n%+v", len(rep.Results), rep.Results)
	}
}

// TestOneTarget checks a run without registration files: the whole
// server at --addr, services by name, and an HTTP check at --http-addr
// and --http-path.
func TestOneTarget(t *testing.T) {
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.A")
	s.Set(healthpb.HealthCheckResponse_NOT_SERVING, "b.v1.B")
	var path atomic.Value
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { path.Store(r.URL.Path) }))
	defer web.Close()

	c := testConfig()
	c.Addr = s.Addr
	code, rep, stderr := runJSON(t, c)
	if code != ExitHealthy || len(rep.Results) != 1 {
		t.Fatalf("whole server: exit code %d, %d results; want 0, 1\n%s", code, len(rep.Results), stderr)
	}
	if r := wantStatus(t, rep, "", KindGRPC, StatusHealthy, ""); r.Target != "" || r.Address != s.Addr {
		t.Errorf("whole server: %+v", r)
	}

	c.Services = []string{"a.v1.A", "b.v1.B", "a.v1.A"}
	code, rep, _ = runJSON(t, c)
	if code != ExitUnhealthy || len(rep.Results) != 2 {
		t.Fatalf("by name: exit code %d, %d results; want 4, 2", code, len(rep.Results))
	}
	wantStatus(t, rep, "a.v1.A", KindGRPC, StatusHealthy, "")
	wantStatus(t, rep, "b.v1.B", KindGRPC, StatusUnhealthy, "NOT_SERVING")

	c = testConfig()
	c.Check, c.HTTPAddr, c.HTTPPath = "http", web.Listener.Addr().String(), "/livez"
	code, rep, _ = runJSON(t, c)
	if code != ExitHealthy || path.Load() != "/livez" {
		t.Fatalf("HTTP: exit code %d, path %v; want 0, /livez", code, path.Load())
	}
	wantStatus(t, rep, "", KindHTTP, StatusHealthy, "")
}

// TestTargetsFileSettings checks, on the plan, where each setting comes
// from: the service's kind block, its entry, the default's kind block,
// the default entry, then the flags; that the monitor keys are accepted
// without Monitor; that equal tls blocks share one configuration; and
// that YAML anchors and merge keys work.
func TestTargetsFileSettings(t *testing.T) {
	dir := t.TempDir()
	c := targetsConfig(t, dir, `
default: &common
  address: 127.0.0.1:9090
  check: [grpc, http]
  timeout: 1s
  interval: 7s
  failure_threshold: 5
  grpc: {timeout: 3s, tls: {server_name: lib.internal}}
  http: {path: /d, method: HEAD}
services:
  a.v1.A:
    timeout: 2s
    success_threshold: 2
    http: {path: /a, tls: {server_name: lib.internal}}
  c.v1.C:
    <<: *common
    grpc: {timeout: 500ms, tls: false}
    tcp: {address: 127.0.0.1:9091}
    check: [grpc, tcp]
`, "a.v1.A", "b.v1.B", "c.v1.C")
	c.TLS = true // for the check kinds the file has no tls for: b's HTTP check
	p, err := c.Plan()
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		timeout, interval time.Duration
		failure, success  int
		url, method       string
		tls               bool
	}
	checks := map[string]Check{}
	for _, ch := range p.Checks {
		checks[ch.Service+" "+string(ch.Kind)] = ch
	}
	want := map[string]got{
		"a.v1.A grpc": {timeout: 2 * time.Second, interval: 7 * time.Second, failure: 5, success: 2, tls: true},
		"a.v1.A http": {timeout: 2 * time.Second, interval: 7 * time.Second, failure: 5, success: 2, url: "https://127.0.0.1:9090/a", method: "HEAD", tls: true},
		"b.v1.B grpc": {timeout: 3 * time.Second, interval: 7 * time.Second, failure: 5, tls: true},
		"b.v1.B http": {timeout: time.Second, interval: 7 * time.Second, failure: 5, url: "https://127.0.0.1:9090/d", method: "HEAD", tls: true},
		"c.v1.C grpc": {timeout: 500 * time.Millisecond, interval: 7 * time.Second, failure: 5},
		"c.v1.C tcp":  {timeout: time.Second, interval: 7 * time.Second, failure: 5},
	}
	if len(checks) != len(want) {
		t.Errorf("checks %v, want %d", checks, len(want))
	}
	for k, w := range want {
		ch := checks[k]
		g := got{ch.Timeout, ch.Interval, ch.FailureThreshold, ch.SuccessThreshold, ch.URL, ch.Method, ch.TLS != nil}
		if g != w {
			t.Errorf("%s: %+v, want %+v", k, g, w)
		}
	}
	if a, b := checks["a.v1.A http"].TLS, checks["b.v1.B grpc"].TLS; a != b || a.ServerName != "lib.internal" {
		t.Errorf("equal tls blocks: configurations %p and %p, want one with server name lib.internal", a, b)
	}
	if flag := checks["b.v1.B http"].TLS; flag == checks["a.v1.A http"].TLS || flag.ServerName != "" {
		t.Errorf("b's HTTP check has the file's TLS configuration, not --tls's")
	}
	if p.Monitor != nil {
		t.Errorf("a monitor without Monitor")
	}
}
