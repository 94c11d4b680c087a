package health

import (
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
	"runtime"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
)

// testConfig is the default Config for registration files, with JSON
// output.
func testConfig(files ...string) Config {
	c := DefaultConfig()
	c.Files = files
	c.Output = FormatJSON
	return c
}

// run plans c and runs the plan as the command does, and returns its exit
// code and output. A Config that does not plan is exit code 1, with the
// error on stderr.
func run(ctx context.Context, t testing.TB, c Config) (int, string, string) {
	t.Helper()
	var stdout, stderr healthtest.SyncBuffer
	p, err := c.Plan()
	if err != nil {
		return ExitInvalidArguments, "", err.Error()
	}
	code := Run(ctx, p, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// runJSON runs c with JSON output and decodes the report.
func runJSON(t testing.TB, c Config) (int, report, string) {
	t.Helper()
	c.Output = FormatJSON
	code, stdout, stderr := run(context.Background(), t, c)
	if code == ExitInvalidArguments {
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
	p.caFile = healthtest.WriteFile(t, p.dir, "ca.pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})))
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
	certFile := healthtest.WriteFile(t, p.dir, name+".pem", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Certificate[0]})))
	keyFile := healthtest.WriteFile(t, p.dir, name+"-key.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})))
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
