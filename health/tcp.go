package health

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// probeTCP opens a connection to the check's address and closes it, as
// Kubernetes' tcpSocket probe does: a connection made passes.
func (c *Checker) probeTCP(ctx context.Context, ch Check) Result {
	r := newResult(ch)
	timeout := c.connectTimeout(ch)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	network, addr := splitAddress(ch.Address)
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	r.Latency = time.Since(r.Time)
	switch {
	case err == nil:
		conn.Close()
		r.Status, r.Detail = StatusHealthy, "connected"
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		r.Status, r.Error = StatusConnectionFailed, fmt.Sprintf("timeout: no connection within %v", timeout)
	case errors.Is(ctx.Err(), context.Canceled):
		r.Status, r.Error = StatusConnectionFailed, "canceled"
	default:
		r.Status, r.Error = StatusConnectionFailed, err.Error()
	}
	return r
}
