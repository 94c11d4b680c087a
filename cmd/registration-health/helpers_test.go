package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// testService is a registered service with a health section.
func testService(name string) *registration.Service {
	return &registration.Service{
		Name:    name,
		Package: name[:strings.LastIndex(name, ".")],
		File:    "test.proto",
		Health:  &registration.Health{GRPCService: name, HTTPPath: "/healthz", Source: registration.SourceInferred},
	}
}

// writeRegistration writes a registration file of services to dir, in the
// encoding its name asks for, and returns its path.
func writeRegistration(t testing.TB, dir, name string, services ...*registration.Service) string {
	t.Helper()
	reg := &registration.Registration{Format: registration.Format, Files: []string{"test.proto"}, Services: services}
	data, err := registration.Marshal(reg, registration.EncodingOf(name))
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, dir, name, string(data))
}

func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer is a bytes.Buffer that a running monitor may write to while
// the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runCLI runs the program in-process and returns its exit code and output.
func runCLI(t testing.TB, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr syncBuffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// runJSON runs the program with JSON output and decodes the report.
func runJSON(t testing.TB, args ...string) (int, report, string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, append([]string{"-o", "json"}, args...)...)
	if code == exitInvalidArguments {
		t.Fatalf("exit code 1 (bad arguments):\n%s", stderr)
	}
	var rep report
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("output is not a JSON report: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
	}
	return code, rep, stderr
}

// resultFor returns the one result of a service and check kind.
func resultFor(t testing.TB, rep report, service string, kind Kind) resultRecord {
	t.Helper()
	for _, r := range rep.Results {
		if r.Service == service && r.Check == kind {
			return r
		}
	}
	t.Fatalf("no %s result for %q in %+v", kind, service, rep.Results)
	return resultRecord{}
}

// listen opens a loopback listener on a free port.
func listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// grpcServer is a gRPC server on loopback, with the real health service
// unless noHealth is set.
type grpcServer struct {
	addr   string
	health *health.Server
	server *grpc.Server
}

func startGRPC(t testing.TB, noHealth bool, opts ...grpc.ServerOption) *grpcServer {
	t.Helper()
	ln := listen(t)
	s := &grpcServer{addr: ln.Addr().String(), server: grpc.NewServer(opts...)}
	if !noHealth {
		s.health = health.NewServer()
		healthpb.RegisterHealthServer(s.server, s.health)
	}
	go s.server.Serve(ln)
	t.Cleanup(s.server.Stop)
	return s
}

// serving sets the serving status of names.
func (s *grpcServer) set(st healthpb.HealthCheckResponse_ServingStatus, names ...string) {
	for _, n := range names {
		s.health.SetServingStatus(n, st)
	}
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t testing.TB) string {
	t.Helper()
	ln := listen(t)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// rawListener accepts connections and hands each to handle, counting them.
type rawListener struct {
	ln       net.Listener
	accepted atomic.Int64
	mu       sync.Mutex
	conns    []net.Conn
	done     chan struct{}
}

func (l *rawListener) addr() string { return l.ln.Addr().String() }

// startRaw starts a listener that treats each connection with handle,
// which runs in the accept loop and must not block.
func startRaw(t testing.TB, handle func(c net.Conn, l *rawListener)) *rawListener {
	t.Helper()
	l := &rawListener{ln: listen(t), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		for {
			c, err := l.ln.Accept()
			if err != nil {
				return
			}
			l.accepted.Add(1)
			handle(c, l)
		}
	}()
	t.Cleanup(func() {
		l.ln.Close()
		<-l.done
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, c := range l.conns {
			c.Close()
		}
	})
	return l
}

// startHung accepts connections and never answers nor closes them.
func startHung(t testing.TB) *rawListener {
	return startRaw(t, func(c net.Conn, l *rawListener) {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	})
}

// startReset accepts connections and resets them at once.
func startReset(t testing.TB) *rawListener {
	return startRaw(t, func(c net.Conn, _ *rawListener) {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	})
}

// startCounting accepts connections and only counts them: a target for
// checks that must not start.
func startCounting(t testing.TB) *rawListener {
	return startRaw(t, func(c net.Conn, _ *rawListener) { c.Close() })
}

// pki is a CA and certificates made for one test, written to files.
type pki struct {
	caFile     string
	caPool     *x509.CertPool
	ca         *x509.Certificate
	caKey      *ecdsa.PrivateKey
	serverCert tls.Certificate // for 127.0.0.1 and localhost
	clientCert string
	clientKey  string
	dir        string
}

func newPKI(t testing.TB) *pki {
	t.Helper()
	p := &pki{dir: t.TempDir()}
	key := newKey(t)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "registration-health test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	p.ca, _ = x509.ParseCertificate(der)
	p.caKey = key
	p.caPool = x509.NewCertPool()
	p.caPool.AddCert(p.ca)
	p.caFile = writeFile(t, p.dir, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
	p.serverCert = p.issue(t, "server", x509.ExtKeyUsageServerAuth, []string{"localhost"}, []net.IP{net.ParseIP("127.0.0.1")})
	client := p.issue(t, "client", x509.ExtKeyUsageClientAuth, nil, nil)
	p.clientCert, p.clientKey = p.writePair(t, "client", client)
	return p
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// issue makes a certificate signed by the CA.
func (p *pki) issue(t testing.TB, cn string, usage x509.ExtKeyUsage, dns []string, ips []net.IP) tls.Certificate {
	t.Helper()
	key := newKey(t)
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		DNSNames:     dns,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, p.ca, &key.PublicKey, p.caKey)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// writePair writes a certificate and its key as PEM files.
func (p *pki) writePair(t testing.TB, name string, c tls.Certificate) (string, string) {
	t.Helper()
	keyDER, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	certFile := writeFile(t, p.dir, name+".pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]})))
	keyFile := writeFile(t, p.dir, name+"-key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
	return certFile, keyFile
}

// serverTLS is a server configuration with cert; with mTLS it requires a
// client certificate from the CA.
func (p *pki) serverTLS(cert tls.Certificate, mTLS bool) *tls.Config {
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if mTLS {
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
		cfg.ClientCAs = p.caPool
	}
	return cfg
}

func (p *pki) grpcCreds(cert tls.Certificate, mTLS bool) grpc.ServerOption {
	return grpc.Creds(credentials.NewTLS(p.serverTLS(cert, mTLS)))
}

// goroutines returns a function that fails the test when, after a short
// grace period, more goroutines run than when goroutines was called.
func goroutines(t testing.TB) func() {
	t.Helper()
	before := runtime.NumGoroutine()
	return func() {
		t.Helper()
		deadline := time.Now().Add(3 * time.Second)
		for runtime.NumGoroutine() > before {
			if time.Now().After(deadline) {
				buf := make([]byte, 1<<20)
				n := runtime.Stack(buf, true)
				t.Fatalf("%d goroutines before the run, %d after:\n%s", before, runtime.NumGoroutine(), buf[:n])
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
