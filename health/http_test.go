package health

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// TestHTTPCheck runs one HTTP check against real servers on loopback.
func TestHTTPCheck(t *testing.T) {
	const timeout = 400 * time.Millisecond
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "ok") })
	mux.HandleFunc("/no-content", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	mux.HandleFunc("/found", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/found-failing", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/error", http.StatusFound) })
	mux.HandleFunc("/elsewhere", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/ok", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database\n  down", http.StatusInternalServerError)
	})
	mux.HandleFunc("/missing", http.NotFound)
	mux.HandleFunc("/hang", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("/stall-body", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "partial")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		chunk := []byte(strings.Repeat("x", 4096))
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/headers", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Probe") != "yes" || r.Host != "health.test" || !strings.HasPrefix(r.UserAgent(), "registration-health/") {
			http.Error(w, fmt.Sprintf("headers %v, host %s", r.Header, r.Host), http.StatusBadRequest)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	for _, tc := range []struct {
		name    string
		path    string
		addr    string // default: srv
		headers []string
		status  Status
		detail  string
		err     string
		// alsoOK is another acceptable status: a reset may come before
		// or after the client sees its connection as made.
		alsoOK Status
	}{
		{name: "200", path: "/ok", status: StatusHealthy, detail: "HTTP 200"},
		{name: "204", path: "/no-content", status: StatusHealthy, detail: "HTTP 204"},
		{name: "302 followed", path: "/found", status: StatusHealthy, detail: "HTTP 200"},
		{name: "302 to a failing page", path: "/found-failing", status: StatusUnhealthy, detail: "HTTP 500"},
		{name: "302 to another host", path: "/elsewhere", status: StatusHealthy,
			detail: "HTTP 302, redirect to " + other.URL + "/ok not followed"},
		{name: "redirect loop", path: "/loop", status: StatusRequestFailed, err: "stopped after 10 redirects"},
		{name: "500", path: "/error", status: StatusUnhealthy, detail: "HTTP 500",
			err: "HTTP 500 Internal Server Error: database down"},
		{name: "404", path: "/missing", status: StatusUnhealthy, detail: "HTTP 404"},
		// A handler that hangs says nothing over HTTP/1.1, like a server that
		// hangs: a connection failure, as a gRPC server that hangs is.
		{name: "hang", path: "/hang", status: StatusConnectionFailed, err: "timeout: the server accepted the connection but sent nothing within 400ms"},
		{name: "body stalls", path: "/stall-body", status: StatusRequestFailed, detail: "HTTP 200",
			err: "reading body: timeout: no answer within 400ms"},
		{name: "endless body", path: "/endless", status: StatusHealthy, detail: "HTTP 200"},
		{name: "headers", path: "/headers", headers: []string{"X-Probe: yes", "Host: health.test"},
			status: StatusHealthy, detail: "HTTP 200"},
		{name: "connection reset", path: "/ok", addr: healthtest.NewResetListener(t).Addr(), status: StatusRequestFailed,
			alsoOK: StatusConnectionFailed, err: "connection reset by peer"},
		{name: "refused", path: "/ok", addr: healthtest.ClosedAddr(t), status: StatusConnectionFailed, err: "connection refused"},
		{name: "URL address", path: "/ok", addr: srv.URL, status: StatusHealthy, detail: "HTTP 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			svc := healthtest.Service("health.v1.Service")
			svc.Health.HTTPPath = tc.path
			c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", svc))
			c.Check, c.HTTPAddr, c.Timeout, c.Headers = "http", addr, timeout, tc.headers
			if tc.addr != "" {
				c.HTTPAddr = tc.addr
			}
			start := time.Now()
			code, rep, stderr := runJSON(t, c)
			took := time.Since(start)
			r := resultFor(t, rep, "health.v1.Service", KindHTTP)
			if tc.alsoOK != "" && r.Status == tc.alsoOK {
				tc.status = tc.alsoOK
			}
			if r.Status != tc.status || code != tc.status.ExitCode() {
				t.Errorf("status %s, exit code %d; want %s, %d\n%+v\n%s", r.Status, code, tc.status, tc.status.ExitCode(), r, stderr)
			}
			if tc.detail != "" && r.Detail != tc.detail {
				t.Errorf("detail %q, want %q", r.Detail, tc.detail)
			}
			if !strings.Contains(r.Error, tc.err) || (tc.status == StatusHealthy && r.Error != "") {
				t.Errorf("error %q, want %q", r.Error, tc.err)
			}
			if took > timeout+time.Second {
				t.Errorf("took %v, want about %v at most", took, timeout)
			}
		})
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("a redirect to another host was followed %d times", n)
	}
}

// TestHTTPCheckDefaults checks the health path of a registration with no
// health section: HTTPPath.
func TestHTTPCheckDefaults(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Store(r.URL.Path) }))
	defer srv.Close()
	old := &registration.Service{Name: "old.v1.Service", Package: "old.v1", File: "old.proto", Methods: []*registration.Method{}}
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "old.yaml", old))
	c.Check, c.Addr = "http", srv.Listener.Addr().String()

	code, _, stderr := runJSON(t, c)
	if code != 0 || got.Load() != "/healthz" {
		t.Fatalf("exit code %d, path %v; want 0, /healthz\n%s", code, got.Load(), stderr)
	}
	c.HTTPPath = "/ready"
	code, rep, _ := runJSON(t, c)
	if code != 0 || got.Load() != "/ready" || resultFor(t, rep, "old.v1.Service", KindHTTP).Target != srv.URL+"/ready" {
		t.Fatalf("exit code %d, path %v; want 0, /ready", code, got.Load())
	}
}

// TestHTTPSCheck checks HTTPS with a CA file, with a client certificate,
// and without the CA.
func TestHTTPSCheck(t *testing.T) {
	p := newPKI(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.TLS = p.serverTLS(p.serverCert, true)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected
	srv.StartTLS()
	defer srv.Close()
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("health.v1.Service"))
	addr := srv.Listener.Addr().String()
	client := func(c *Config) { c.TLS, c.TLSClientCert, c.TLSClientKey = true, p.clientCert, p.clientKey }

	for _, tc := range []struct {
		name   string
		set    func(c *Config)
		status Status
		err    string
	}{
		{"CA and client certificate", func(c *Config) {
			client(c)
			c.TLSCACert = p.caFile
		}, StatusHealthy, ""},
		{"https URL", func(c *Config) {
			client(c)
			c.TLSCACert, c.HTTPAddr = p.caFile, "https://"+addr
		}, StatusHealthy, ""},
		{"unknown CA", client, StatusConnectionFailed, "certificate signed by unknown authority"},
		{"no verify", func(c *Config) {
			client(c)
			c.TLSNoVerify = true
		}, StatusHealthy, ""},
		{"plain HTTP to a TLS server", func(*Config) {}, StatusUnhealthy, "HTTP 400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testConfig(reg)
			c.Check, c.Addr, c.Timeout = "http", addr, time.Second
			tc.set(&c)
			code, rep, stderr := runJSON(t, c)
			r := resultFor(t, rep, "health.v1.Service", KindHTTP)
			if r.Status != tc.status || code != tc.status.ExitCode() || !strings.Contains(r.Error, tc.err) {
				t.Errorf("got %s (exit %d) %q; want %s %q\n%s", r.Status, code, r.Error, tc.status, tc.err, stderr)
			}
		})
	}
}
