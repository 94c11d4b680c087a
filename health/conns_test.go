package health

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/grpc"
	grpchealth "google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
)

// countingListener counts the connections a real server accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int64
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// TestOneConnectionPerAddress checks 60 services behind one gRPC server,
// 8 at a time, and wants them all checked over one connection, as a
// client of the server reaches them; a second address gets its own.
func TestOneConnectionPerAddress(t *testing.T) {
	const n = 60
	hs := grpchealth.NewServer()
	srv := grpc.NewServer()
	healthpb.RegisterHealthServer(srv, hs)
	defer srv.Stop()
	var lns []*countingListener
	for range 2 {
		ln := &countingListener{Listener: healthtest.Listen(t)}
		go srv.Serve(ln)
		lns = append(lns, ln)
	}
	var checks []Check
	for i := range n {
		name := fmt.Sprintf("one.v1.Service%02d", i)
		hs.SetServingStatus(name, healthpb.HealthCheckResponse_SERVING)
		ln := lns[i%2]
		checks = append(checks, Check{Service: name, Kind: KindGRPC, Address: ln.Addr().String(), GRPCService: name})
	}
	c := NewChecker(Options{Timeout: 5 * time.Second})
	defer c.Close()
	for _, r := range c.Batch(context.Background(), checks, 8) {
		if r.Status != StatusHealthy {
			t.Errorf("%s: %s %s", r.Service, r.Status, r.Error)
		}
	}
	for i, ln := range lns {
		if got := ln.accepted.Load(); got != 1 {
			t.Errorf("address %d: %d connections for %d services, want 1", i, got, n/2)
		}
	}
	if len(c.conns.conns) != 0 {
		t.Errorf("%d connections left open after the batch", len(c.conns.conns))
	}
}

// TestBatchHungTargetsBounded checks 200 targets that hang, 20 at a time
// with a 1s timeout: checks that wait for a silent server give their slot
// up, so the batch takes little more than one timeout, not ten.
func TestBatchHungTargetsBounded(t *testing.T) {
	const (
		n       = 200
		timeout = time.Second
	)
	var checks []Check
	for i := range n {
		checks = append(checks, Check{Service: fmt.Sprintf("hung.v1.S%03d", i), Kind: KindGRPC, Address: healthtest.NewHungListener(t).Addr()})
	}
	c := NewChecker(Options{Timeout: timeout})
	defer c.Close()
	start := time.Now()
	results := c.Batch(context.Background(), checks, 20)
	took := time.Since(start)
	for _, r := range results {
		if r.Status != StatusConnectionFailed {
			t.Errorf("%s: %s %s, want connection_failed", r.Service, r.Status, r.Error)
		}
	}
	if took >= 2*timeout {
		t.Errorf("%d hung targets, 20 at a time, took %v; want under %v", n, took, 2*timeout)
	}
}
