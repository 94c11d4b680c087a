package health

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/registration"
)

// TestBatchHungTargets checks that 50 services whose gRPC and HTTP
// endpoints never answer are all done in well under twice the timeout,
// and that no goroutine is left behind.
func TestBatchHungTargets(t *testing.T) {
	const (
		n       = 50
		timeout = 400 * time.Millisecond
	)
	hangHTTP := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hangHTTP.Close()
	var services []*registration.Service
	var targets strings.Builder
	targets.WriteString("services:\n")
	for i := range n {
		name := fmt.Sprintf("hung.v1.Service%02d", i)
		services = append(services, healthtest.Service(name))
		fmt.Fprintf(&targets, "  %s:\n    grpc_address: %s\n    http_address: %s\n", name, healthtest.NewHungListener(t).Addr(), hangHTTP.URL)
	}
	dir := t.TempDir()
	c := testConfig(healthtest.WriteRegistration(t, dir, "reg.json", services...))
	c.TargetsFile = healthtest.WriteFile(t, dir, "targets.yaml", targets.String())
	c.Check = "both"
	c.Timeout = timeout

	leaked := goroutines(t)
	start := time.Now()
	code, rep, stderr := runJSON(t, c)
	took := time.Since(start)
	if took >= 2*timeout {
		t.Errorf("%d hung checks took %v, want less than %v", 2*n, took, 2*timeout)
	}
	if code != ExitConnectionFailure || len(rep.Results) != 2*n {
		t.Fatalf("exit code %d, %d results; want %d, %d\n%s", code, len(rep.Results), ExitConnectionFailure, 2*n, stderr)
	}
	// A target that hangs is a connection failure over gRPC and HTTP alike.
	for _, r := range rep.Results {
		want := StatusConnectionFailed
		if r.Status != want || !strings.HasPrefix(r.Error, "timeout: the server accepted the connection but sent nothing") {
			t.Errorf("%s %s: %s %q, want %s and a timeout", r.Service, r.Check, r.Status, r.Error, want)
		}
	}
	hangHTTP.CloseClientConnections()
	leaked()
}

// TestBatchConcurrency checks that no more than Concurrency checks are
// in flight at once, and that they do run side by side.
func TestBatchConcurrency(t *testing.T) {
	var inFlight, most atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); now > m && !most.CompareAndSwap(m, now); m = most.Load() {
		}
		time.Sleep(30 * time.Millisecond)
	}))
	defer srv.Close()
	var services []*registration.Service
	for i := range 24 {
		services = append(services, healthtest.Service(fmt.Sprintf("busy.v1.Service%02d", i)))
	}
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.yaml", services...))
	c.Check = "http"
	c.Addr = srv.Listener.Addr().String()
	c.Concurrency = 4
	code, rep, stderr := runJSON(t, c)
	if code != 0 || rep.Summary.Healthy != 24 {
		t.Fatalf("exit code %d, %+v\n%s", code, rep.Summary, stderr)
	}
	if m := most.Load(); m > 4 || m < 2 {
		t.Errorf("at most %d checks in flight, want 2 to 4", m)
	}
}

// TestBatchFilesAndSelection checks that services listed in both a
// per-file and an aggregate registration are checked once, and that
// Services and Exclude select by glob.
func TestBatchFilesAndSelection(t *testing.T) {
	s := healthtest.NewGRPCServer(t)
	names := []string{"library.v1.LibraryService", "library.v1.ShelfService", "library.v2.LibraryService", "shop.v1.CartService"}
	s.Set(healthpb.HealthCheckResponse_SERVING, names...)
	dir := t.TempDir()
	var all []*registration.Service
	for _, n := range names {
		all = append(all, healthtest.Service(n))
	}
	aggregate := healthtest.WriteRegistration(t, dir, "all.registration.json", all...)
	perFile := healthtest.WriteRegistration(t, dir, "library.registration.yaml", healthtest.Service(names[0]), healthtest.Service(names[1]))
	changed := healthtest.Service(names[3])
	changed.Health.HTTPPath = "/other"
	stale := healthtest.WriteRegistration(t, dir, "shop.registration.yaml", changed)

	for _, tc := range []struct {
		services, exclude []string
		want              []string
	}{
		{nil, nil, names},
		{[]string{"library.*"}, nil, names[:3]},
		{[]string{"library.v1.*", "*.CartService"}, nil, []string{names[0], names[1], names[3]}},
		{[]string{"*.LibraryService"}, nil, []string{names[0], names[2]}},
		{nil, []string{"library.v2.*", "shop.*"}, names[:2]},
	} {
		c := testConfig(perFile, aggregate, stale)
		c.Addr = s.Addr
		c.Services, c.Exclude = tc.services, tc.exclude
		code, rep, stderr := runJSON(t, c)
		var got []string
		for _, r := range rep.Results {
			got = append(got, r.Service)
		}
		if code != 0 || strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("services %v, exclude %v: exit code %d, services %v; want 0, %v\n%s", tc.services, tc.exclude, code, got, tc.want, stderr)
		}
		if !strings.Contains(stderr, "warning: service shop.v1.CartService: ") || !strings.Contains(stderr, "disagree about health") {
			t.Errorf("no warning about the stale file:\n%s", stderr)
		}
	}
}

// TestBatchCanceled checks that a batch stops at once when its context
// ends, as on SIGINT, whatever its timeout.
func TestBatchCanceled(t *testing.T) {
	var services []*registration.Service
	for i := range 10 {
		services = append(services, healthtest.Service(fmt.Sprintf("hung.v1.Service%d", i)))
	}
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", services...))
	c.Addr = healthtest.NewHungListener(t).Addr()
	c.Timeout, c.ConnectTimeout = 10*time.Second, 10*time.Second
	leaked := goroutines(t)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	code, stdout, _ := run(ctx, t, c)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a canceled batch took %v", took)
	}
	if code != ExitConnectionFailure || !strings.Contains(stdout, `"error": "canceled"`) {
		t.Errorf("exit code %d, output:\n%s", code, stdout)
	}
	leaked()
}

// TestExitCode checks the exit code of a run with several outcomes: the
// most severe failure wins.
func TestExitCode(t *testing.T) {
	rs := func(ss ...Status) []Result {
		var out []Result
		for _, s := range ss {
			out = append(out, Result{Status: s})
		}
		return out
	}
	for _, tc := range []struct {
		results []Result
		want    int
	}{
		{nil, 0},
		{rs(StatusHealthy, StatusHealthy), 0},
		{rs(StatusHealthy, StatusUnhealthy), 4},
		{rs(StatusUnhealthy, StatusNoHealthService), 3},
		{rs(StatusUnhealthy, StatusRequestFailed, StatusHealthy), 3},
		{rs(StatusUnhealthy, StatusConnectionFailed, StatusRequestFailed), 2},
	} {
		if got := ExitCode(tc.results); got != tc.want {
			t.Errorf("ExitCode(%v) = %d, want %d", tc.results, got, tc.want)
		}
	}
}
