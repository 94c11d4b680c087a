package health

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// probeGRPC sends one grpc.health.v1 Check over the shared connection of
// the check's address, connecting it first if needed, as grpc-health-probe
// does: SERVING passes.
func (c *Checker) probeGRPC(ctx context.Context, ch Check) Result {
	r := newResult(ch)
	r.Kind = KindGRPC
	timeout := c.timeout(ch)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	key := c.conns.keyOf(ch)
	sc, err := c.conns.acquire(key)
	if err != nil {
		r.Status, r.Error = StatusConnectionFailed, err.Error()
		return r
	}
	defer c.conns.unreserve(key)
	dialStarted(ctx, sc.began)

	if err := c.awaitReady(ctx, sc, c.connectTimeout(ch)); err != nil {
		r.Latency = time.Since(r.Time)
		r.Status, r.Error = StatusConnectionFailed, err.Error()
		return r
	}
	serverSpoke(ctx)
	resp, err := healthpb.NewHealthClient(sc.conn).Check(
		metadata.NewOutgoingContext(ctx, c.metadata(ch)),
		&healthpb.HealthCheckRequest{Service: ch.GRPCService})
	r.Latency = time.Since(r.Time)
	if err != nil {
		c.classifyRPCError(&r, err, sc, timeout)
		return r
	}
	r.Detail = resp.GetStatus().String()
	if resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
		r.Status = StatusHealthy
	} else {
		r.Status = StatusUnhealthy
		r.Error = "serving status " + r.Detail
	}
	return r
}

// metadata is the gRPC metadata of a check.
func (c *Checker) metadata(ch Check) metadata.MD {
	if ch.Metadata != nil {
		return ch.Metadata
	}
	return c.opts.Metadata
}

// awaitReady waits until the connection is ready, within the connect
// timeout. Its error says why it is not: the dial, TLS or first-read error
// of the last attempt, a server that accepted the connection but said
// nothing, a timeout, or ctx's end.
func (c *Checker) awaitReady(ctx context.Context, sc *sharedConn, connectTimeout time.Duration) error {
	cctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	conn := sc.conn
	for s := conn.GetState(); ; s = conn.GetState() {
		switch s {
		case connectivity.Ready:
			return nil
		case connectivity.TransientFailure:
			if a := sc.last(); a.accepted && !a.spoke && a.err == nil {
				return fmt.Errorf("timeout: the server accepted the connection but sent nothing within %v", connectTimeout)
			}
			return connectionError(sc.last())
		case connectivity.Shutdown:
			return errors.New("connection closed")
		case connectivity.Idle:
			conn.Connect()
		}
		if !conn.WaitForStateChange(cctx, s) {
			if errors.Is(ctx.Err(), context.Canceled) {
				return errors.New("canceled")
			}
			if a := sc.last(); a.accepted && !a.spoke && a.err == nil {
				return fmt.Errorf("timeout: the server accepted the connection but sent nothing within %v", connectTimeout)
			}
			return fmt.Errorf("timeout: no connection within %v", connectTimeout)
		}
	}
}

// connectionError says why a connection attempt failed, from the error
// itself: a dial error is the dialer's ("dial tcp 127.0.0.1:1: connect:
// connection refused"), a TLS error names its cause, and a server that
// closed the connection without a word is said to have done so.
func connectionError(a attempt) error {
	err := a.err
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		record  tls.RecordHeaderError
	)
	switch {
	case err == nil:
		return errors.New("connection failed")
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &host):
		return fmt.Errorf("TLS: the server's certificate is not trusted: %w", err)
	case errors.As(err, &record):
		return errors.New("TLS: the server did not answer with TLS (a plaintext server?)")
	case a.accepted && !a.spoke && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)):
		return fmt.Errorf("the server closed the connection without a word: %w", err)
	}
	return err
}

// classifyRPCError fills r from a failed Check, by its gRPC status code.
func (c *Checker) classifyRPCError(r *Result, err error, sc *sharedConn, timeout time.Duration) {
	st := status.Convert(err)
	r.Detail = st.Code().String()
	r.Status = StatusRequestFailed
	switch st.Code() {
	case codes.Unavailable:
		// The connection broke between the check's wait and its RPC: the
		// attempt's error says why, if it failed to reconnect.
		if a := sc.last(); a.err != nil && sc.conn.GetState() != connectivity.Ready {
			r.Status = StatusConnectionFailed
			r.Error = connectionError(a).Error()
			return
		}
		r.Error = "UNAVAILABLE: " + st.Message()
	case codes.Unimplemented:
		r.Status = StatusNoHealthService
		r.Error = "the server has no grpc.health.v1.Health service"
	case codes.DeadlineExceeded:
		r.Error = fmt.Sprintf("timeout: health RPC did not complete within %v", timeout)
	case codes.Canceled:
		r.Error = "canceled"
	case codes.NotFound:
		r.Error = fmt.Sprintf("the health service does not know %q", r.Target)
	default:
		r.Error = fmt.Sprintf("%s: %s", st.Code(), st.Message())
	}
}

// watchGRPC holds a grpc.health.v1 Watch stream to a target, on the shared
// connection of its address, and passes every serving status the server
// sends to pushed, until ctx ends. A broken stream is opened again after
// retry; a server without Watch (UNIMPLEMENTED) is left to the periodic
// checks.
func (c *Checker) watchGRPC(ctx context.Context, ch Check, retry time.Duration, pushed func(healthpb.HealthCheckResponse_ServingStatus)) {
	key := c.conns.keyOf(ch)
	sc, err := c.conns.acquire(key)
	if err != nil {
		return
	}
	defer c.conns.unreserve(key)
	client := healthpb.NewHealthClient(sc.conn)
	ctx = metadata.NewOutgoingContext(ctx, c.metadata(ch))
	// One timer for every retry, made at the first: a stream that breaks
	// again and again leaves no timer behind.
	var wait *time.Timer
	for {
		err := watchOnce(ctx, client, ch.GRPCService, pushed)
		if ctx.Err() != nil || status.Code(err) == codes.Unimplemented {
			return
		}
		if wait == nil {
			wait = time.NewTimer(retry)
			defer wait.Stop()
		} else {
			wait.Reset(retry)
		}
		select {
		case <-ctx.Done():
			return
		case <-wait.C:
		}
	}
}

// watchOnce opens one Watch stream, once the connection is up, and
// passes on what it receives until the stream breaks.
func watchOnce(ctx context.Context, client healthpb.HealthClient, name string, pushed func(healthpb.HealthCheckResponse_ServingStatus)) error {
	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: name}, grpc.WaitForReady(true))
	if err != nil {
		return err
	}
	var resp healthpb.HealthCheckResponse
	for {
		if err := stream.RecvMsg(&resp); err != nil {
			return err
		}
		pushed(resp.GetStatus())
	}
}
