package health

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
func (c *Checker) dial(ch Check) (*grpc.ClientConn, error) {
	// The dns scheme is explicit so that a host name that happens to be
	// the name of a resolver scheme is still read as a host.
	return grpc.NewClient("dns:///"+ch.Address, c.grpcOpts...)
}

// probeGRPC sends one grpc.health.v1 Check over a fresh connection, the
// way grpc-health-probe does: SERVING passes.
func (c *Checker) probeGRPC(ctx context.Context, ch Check) Result {
	r := Result{Service: ch.Service, Kind: KindGRPC, Address: ch.Address, Target: ch.GRPCService, Time: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	conn, err := c.dial(ch)
	if err != nil {
		r.Status, r.Error = StatusConnectionFailed, err.Error()
		return r
	}
	defer conn.Close()

	ready, err := c.awaitConnection(ctx, conn)
	if err != nil {
		r.Latency = time.Since(r.Time)
		r.Status, r.Error = StatusConnectionFailed, err.Error()
		return r
	}
	// When the connection failed, this Check fails at once with the
	// reason (connection refused, TLS handshake error, ...).
	resp, err := healthpb.NewHealthClient(conn).Check(
		metadata.NewOutgoingContext(ctx, c.opts.Metadata),
		&healthpb.HealthCheckRequest{Service: ch.GRPCService})
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
		r.Error = "serving status " + r.Detail
	}
	return r
}

// awaitConnection connects conn within the connect timeout. It reports
// true once the connection is ready and false, with no error, when the
// attempt failed (the next RPC then fails fast with the reason); an error
// means the connect timeout passed or ctx ended.
func (c *Checker) awaitConnection(ctx context.Context, conn *grpc.ClientConn) (bool, error) {
	cctx, cancel := context.WithTimeout(ctx, c.opts.ConnectTimeout)
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
			return false, fmt.Errorf("timeout: no connection within %v", c.opts.ConnectTimeout)
		}
	}
}

// classifyRPCError fills r from a failed Check. ready says whether the
// connection was up when the RPC started.
func (c *Checker) classifyRPCError(r *Result, err error, ready bool) {
	st := status.Convert(err)
	r.Detail = st.Code().String()
	r.Status = StatusRequestFailed
	switch st.Code() {
	case codes.Unavailable:
		if !ready {
			r.Status = StatusConnectionFailed
		}
		r.Error = connectionErrorMessage(st.Message())
	case codes.Unimplemented:
		r.Status = StatusNoHealthService
		r.Error = "the server has no grpc.health.v1.Health service"
	case codes.DeadlineExceeded:
		r.Error = fmt.Sprintf("timeout: health RPC did not complete within %v", c.opts.Timeout)
	case codes.Canceled:
		r.Error = "canceled"
	case codes.NotFound:
		r.Error = fmt.Sprintf("the health service does not know %q", r.Target)
	default:
		r.Error = fmt.Sprintf("%s: %s", st.Code(), st.Message())
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

// watchGRPC holds a grpc.health.v1 Watch stream to a target on its own
// connection and passes on every serving status the server sends, until
// ctx ends. A broken stream is opened again after retry; a server without
// Watch (UNIMPLEMENTED) is left to the periodic checks.
func (c *Checker) watchGRPC(ctx context.Context, ch Check, retry time.Duration, pushed chan healthpb.HealthCheckResponse_ServingStatus) {
	conn, err := c.dial(ch)
	if err != nil {
		return
	}
	defer conn.Close()
	client := healthpb.NewHealthClient(conn)
	ctx = metadata.NewOutgoingContext(ctx, c.opts.Metadata)
	for {
		err := watchOnce(ctx, client, ch.GRPCService, pushed)
		if ctx.Err() != nil || status.Code(err) == codes.Unimplemented {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(retry):
		}
	}
}

// watchOnce opens one Watch stream, once the connection is up, and
// passes on what it receives until the stream breaks. Only the newest
// status waits in pushed: an older one that was not taken yet is dropped.
func watchOnce(ctx context.Context, client healthpb.HealthClient, name string, pushed chan healthpb.HealthCheckResponse_ServingStatus) error {
	stream, err := client.Watch(ctx, &healthpb.HealthCheckRequest{Service: name}, grpc.WaitForReady(true))
	if err != nil {
		return err
	}
	for {
		resp, err := stream.Recv()
		if err != nil {
			return err
		}
		select {
		case pushed <- resp.GetStatus():
		default:
			select {
			case <-pushed:
			default:
			}
			pushed <- resp.GetStatus()
		}
	}
}
