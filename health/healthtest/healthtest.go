// Package healthtest provides what tests of health checks need, on
// loopback and in temporary directories: gRPC servers with and without
// the real grpc.health.v1 service, listeners that hang, reset or only
// count connections, and registration files to check. Everything started
// is stopped when the test ends.
package healthtest

import (
	"bytes"
	"net"
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

	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/codec"
)

// GRPCServer is a gRPC server serving on a loopback port.
type GRPCServer struct {
	// Addr is the server's host:port.
	Addr string
	// Health is the server's grpc.health.v1 service; nil for a server
	// started with NewBareGRPCServer.
	Health *grpchealth.Server
	// Server is the server itself, to register more services or to stop
	// it early.
	Server *grpc.Server
}

// NewGRPCServer starts a gRPC server with the real grpc.health.v1 service,
// which knows only the empty name (the whole server, SERVING) until Set
// says more.
func NewGRPCServer(t testing.TB, opts ...grpc.ServerOption) *GRPCServer {
	t.Helper()
	s := newGRPCServer(t, opts)
	s.Health = grpchealth.NewServer()
	healthpb.RegisterHealthServer(s.Server, s.Health)
	go s.Server.Serve(s.listener)
	return &s.GRPCServer
}

// NewBareGRPCServer starts a gRPC server without the health service: it
// answers health checks with UNIMPLEMENTED.
func NewBareGRPCServer(t testing.TB, opts ...grpc.ServerOption) *GRPCServer {
	t.Helper()
	s := newGRPCServer(t, opts)
	go s.Server.Serve(s.listener)
	return &s.GRPCServer
}

type startingServer struct {
	GRPCServer
	listener net.Listener
}

func newGRPCServer(t testing.TB, opts []grpc.ServerOption) *startingServer {
	ln := Listen(t)
	s := &startingServer{GRPCServer: GRPCServer{Addr: ln.Addr().String(), Server: grpc.NewServer(opts...)}, listener: ln}
	t.Cleanup(s.Server.Stop)
	return s
}

// Set sets the serving status of names.
func (s *GRPCServer) Set(status healthpb.HealthCheckResponse_ServingStatus, names ...string) {
	for _, n := range names {
		s.Health.SetServingStatus(n, status)
	}
}

// Listen opens a listener on a free loopback port, closed when the test
// ends.
func Listen(t testing.TB) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln
}

// ClosedAddr returns a loopback address where nothing listens.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	ln := Listen(t)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// Listener accepts connections and treats each in a way of its own: see
// NewHungListener, NewResetListener and NewCountingListener.
type Listener struct {
	ln       net.Listener
	accepted atomic.Int64
	mu       sync.Mutex
	conns    []net.Conn
	done     chan struct{}
}

// Addr is the listener's host:port.
func (l *Listener) Addr() string { return l.ln.Addr().String() }

// Accepted is how many connections the listener has accepted.
func (l *Listener) Accepted() int64 { return l.accepted.Load() }

// newListener starts a listener that treats each connection with handle,
// which runs in the accept loop and must not block.
func newListener(t testing.TB, handle func(c net.Conn, l *Listener)) *Listener {
	t.Helper()
	l := &Listener{ln: Listen(t), done: make(chan struct{})}
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

// NewHungListener accepts connections and never answers nor closes them
// until the test ends: a target that hangs.
func NewHungListener(t testing.TB) *Listener {
	t.Helper()
	return newListener(t, func(c net.Conn, l *Listener) {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	})
}

// NewResetListener accepts connections and resets them at once.
func NewResetListener(t testing.TB) *Listener {
	t.Helper()
	return newListener(t, func(c net.Conn, _ *Listener) {
		if tc, ok := c.(*net.TCPConn); ok {
			tc.SetLinger(0)
		}
		c.Close()
	})
}

// NewCountingListener accepts connections, closes them and counts them:
// a target for checks that must not start.
func NewCountingListener(t testing.TB) *Listener {
	t.Helper()
	return newListener(t, func(c net.Conn, _ *Listener) { c.Close() })
}

// Service returns a registered service with a health section: its full
// name for gRPC and /healthz for HTTP.
func Service(name string) *registration.Service {
	return &registration.Service{
		Name:    name,
		Package: name[:max(strings.LastIndex(name, "."), 0)],
		File:    "test.proto",
		Methods: []*registration.Method{},
		Health:  &registration.Health{GRPCService: name, HTTPPath: "/healthz", Source: registration.SourceInferred},
	}
}

// WriteRegistration writes a registration file of services to dir, in
// the encoding its name asks for (YAML for .yaml and .yml, else JSON),
// and returns its path.
func WriteRegistration(t testing.TB, dir, name string, services ...*registration.Service) string {
	t.Helper()
	reg := &registration.Registration{Format: registration.Format, Files: []string{"test.proto"}, Services: services}
	data, err := codec.Marshal(reg, codec.EncodingOf(name))
	if err != nil {
		t.Fatal(err)
	}
	return WriteFile(t, dir, name, string(data))
}

// WriteFile writes content to the file name in dir and returns its path.
func WriteFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// SyncBuffer is a bytes.Buffer that a running program may write to while
// the test reads it.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p to the buffer.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// WaitFor polls cond until it holds, and fails the test when it does not
// within timeout; what says what was awaited.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
