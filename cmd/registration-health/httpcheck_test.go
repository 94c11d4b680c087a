package main

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
		name   string
		path   string
		addr   string // default: srv
		args   []string
		status Status
		detail string
		err    string
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
		{name: "hang", path: "/hang", status: StatusRequestFailed, err: "timeout: no answer within 400ms"},
		{name: "body stalls", path: "/stall-body", status: StatusRequestFailed, detail: "HTTP 200",
			err: "reading body: timeout: no answer within 400ms"},
		{name: "endless body", path: "/endless", status: StatusHealthy, detail: "HTTP 200"},
		{name: "headers", path: "/headers", args: []string{"--header", "X-Probe: yes", "--header", "Host: health.test"},
			status: StatusHealthy, detail: "HTTP 200"},
		{name: "connection reset", path: "/ok", addr: startReset(t).addr(), status: StatusRequestFailed,
			alsoOK: StatusConnectionFailed, err: "connection reset by peer"},
		{name: "refused", path: "/ok", addr: closedAddr(t), status: StatusConnectionFailed, err: "connection refused"},
		{name: "URL address", path: "/ok", addr: srv.URL, status: StatusHealthy, detail: "HTTP 200"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			svc := testService("health.v1.Service")
			svc.Health.HTTPPath = tc.path
			reg := writeRegistration(t, dir, "reg.json", svc)
			a := tc.addr
			if a == "" {
				a = addr
			}
			args := append([]string{"--check", "http", "--http-addr", a, "--timeout", timeout.String(), reg}, tc.args...)
			start := time.Now()
			code, rep, stderr := runJSON(t, args...)
			took := time.Since(start)
			r := resultFor(t, rep, "health.v1.Service", KindHTTP)
			if tc.alsoOK != "" && r.Status == tc.alsoOK {
				tc.status = tc.alsoOK
			}
			if r.Status != tc.status || code != tc.status.exitCode() {
				t.Errorf("status %s, exit code %d; want %s, %d\n%+v\n%s", r.Status, code, tc.status, tc.status.exitCode(), r, stderr)
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
// health section: --http-path.
func TestHTTPCheckDefaults(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Store(r.URL.Path) }))
	defer srv.Close()
	dir := t.TempDir()
	old := &registration.Service{Name: "old.v1.Service", Package: "old.v1", File: "old.proto"}
	reg := writeRegistration(t, dir, "old.yaml", old)

	code, rep, stderr := runJSON(t, "--check", "http", "--addr", srv.Listener.Addr().String(), reg)
	if code != 0 || got.Load() != "/healthz" {
		t.Fatalf("exit code %d, path %v; want 0, /healthz\n%s", code, got.Load(), stderr)
	}
	code, rep, _ = runJSON(t, "--check", "http", "--http-path", "/ready", "--addr", srv.Listener.Addr().String(), reg)
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
	dir := t.TempDir()
	reg := writeRegistration(t, dir, "reg.json", testService("health.v1.Service"))
	addr := srv.Listener.Addr().String()

	for _, tc := range []struct {
		name   string
		args   []string
		status Status
		err    string
	}{
		{"CA and client certificate", []string{"--tls", "--tls-ca-cert", p.caFile,
			"--tls-client-cert", p.clientCert, "--tls-client-key", p.clientKey}, StatusHealthy, ""},
		{"https URL", []string{"--tls", "--tls-ca-cert", p.caFile, "--tls-client-cert", p.clientCert,
			"--tls-client-key", p.clientKey, "--http-addr", "https://" + addr}, StatusHealthy, ""},
		{"unknown CA", []string{"--tls", "--tls-client-cert", p.clientCert, "--tls-client-key", p.clientKey},
			StatusConnectionFailed, "certificate signed by unknown authority"},
		{"no verify", []string{"--tls", "--tls-no-verify", "--tls-client-cert", p.clientCert, "--tls-client-key", p.clientKey},
			StatusHealthy, ""},
		{"plain HTTP to a TLS server", nil, StatusUnhealthy, "HTTP 400"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--check", "http", "--addr", addr, "--timeout", "1s", reg}, tc.args...)
			code, rep, stderr := runJSON(t, args...)
			r := resultFor(t, rep, "health.v1.Service", KindHTTP)
			if r.Status != tc.status || code != tc.status.exitCode() || !strings.Contains(r.Error, tc.err) {
				t.Errorf("got %s (exit %d) %q; want %s %q\n%s", r.Status, code, r.Error, tc.status, tc.err, stderr)
			}
		})
	}
}
