package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// dial makes a client connection to a check's address. It does not
// connect yet.
func (c *checker) dial(ch check) (*grpc.ClientConn, error) {
	// The dns scheme is explicit so that a host name that happens to be
	// the name of a resolver scheme is still read as a host.
	return grpc.NewClient("dns:///"+ch.address, c.grpcOpts...)
}

// probeGRPC sends one grpc.health.v1 Check over a fresh connection, the
// way grpc-health-probe does: SERVING passes.
func (c *checker) probeGRPC(ctx context.Context, ch check) Result {
	r := Result{Service: ch.service, Kind: KindGRPC, Address: ch.address, Target: ch.grpcName, Time: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, c.plan.timeout)
	defer cancel()

	conn, err := c.dial(ch)
	if err != nil {
		r.Status, r.Err = StatusConnectionFailed, err.Error()
		return r
	}
	defer conn.Close()

	ready, err := c.awaitConnection(ctx, conn)
	if err != nil {
		r.Latency = time.Since(r.Time)
		r.Status, r.Err = StatusConnectionFailed, err.Error()
		return r
	}
	// When the connection failed, this Check fails at once with the
	// reason (connection refused, TLS handshake error, ...).
	resp, err := healthpb.NewHealthClient(conn).Check(
		metadata.NewOutgoingContext(ctx, c.plan.md),
		&healthpb.HealthCheckRequest{Service: ch.grpcName})
	r.Latency = time.Since(r.Time)
	if err != nil {
		c.classifyRPCError(&r, err, ready)
		return r
	}
	r.Detail = resp.GetStatus().String()
	if resp.GetStatus() == healthpb.HealthCheckResponse_SERVING {
		r.Status = StatusHealthy
	} else {
		r.Status = StatusUnhealthy
		r.Err = "serving status " + r.Detail
	}
	return r
}

// awaitConnection connects conn within the connect timeout. It reports
// true once the connection is ready and false, with no error, when the
// attempt failed (the next RPC then fails fast with the reason); an error
// means the connect timeout passed or ctx ended.
func (c *checker) awaitConnection(ctx context.Context, conn *grpc.ClientConn) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, c.plan.connectTimeout)
	defer cancel()
	for s := conn.GetState(); ; s = conn.GetState() {
		switch s {
		case connectivity.Ready:
			return true, nil
		case connectivity.TransientFailure:
			return false, nil
		case connectivity.Shutdown:
			return false, errors.New("connection closed")
		case connectivity.Idle:
			conn.Connect()
		}
		if !conn.WaitForStateChange(cctx, s) {
			if errors.Is(ctx.Err(), context.Canceled) {
				return false, errors.New("canceled")
			}
			return false, fmt.Errorf("timeout: no connection within %v", c.plan.connectTimeout)
		}
	}
}

// classifyRPCError fills r from a failed Check. ready says whether the
// connection was up when the RPC started.
func (c *checker) classifyRPCError(r *Result, err error, ready bool) {
	st := status.Convert(err)
	r.Detail = st.Code().String()
	r.Status = StatusRequestFailed
	switch st.Code() {
	case codes.Unavailable:
		if !ready {
			r.Status = StatusConnectionFailed
		}
		r.Err = connectionErrorMessage(st.Message())
	case codes.Unimplemented:
		r.Status = StatusNoHealthService
		r.Err = "the server has no grpc.health.v1.Health service"
	case codes.DeadlineExceeded:
		r.Err = fmt.Sprintf("timeout: health RPC did not complete within %v", c.plan.timeout)
	case codes.Canceled:
		r.Err = "canceled"
	case codes.NotFound:
		r.Err = fmt.Sprintf("the health service does not know %q", r.Target)
	default:
		r.Err = fmt.Sprintf("%s: %s", st.Code(), st.Message())
	}
}

// connectionErrorMessage shortens grpc-go's wrapping of a connection error
// ("connection error: desc = \"transport: Error while dialing: dial tcp
// ...\"") to the error itself, as an HTTP check would report it.
func connectionErrorMessage(msg string) string {
	if rest, ok := strings.CutPrefix(msg, "connection error: desc = "); ok {
		if unquoted, err := strconv.Unquote(rest); err == nil {
			msg = unquoted
		}
	}
	msg = strings.TrimPrefix(msg, "transport: Error while dialing: ")
	return strings.TrimPrefix(msg, "transport: ")
}
