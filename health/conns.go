package health

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/backoff"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// connKey says which gRPC checks may share a connection: those to the same
// address over the same TLS configuration.
type connKey struct {
	address string
	tls     *tls.Config
}

// connPool holds one gRPC connection per connKey while checks or Watch
// streams use it, so that every service behind an address is checked over
// one connection, as a client of the server would reach them.
type connPool struct {
	opts  Options
	mu    sync.Mutex
	conns map[connKey]*sharedConn
}

// sharedConn is a gRPC connection and what its dials and handshakes said:
// grpc-go reports a failed connection as UNAVAILABLE with a message meant
// for people, so the pool keeps the errors themselves, to classify them
// with errors.Is and errors.As.
type sharedConn struct {
	conn *grpc.ClientConn
	refs int

	mu       sync.Mutex
	attempt  attempt
	attempts int
}

// attempt is what one connection attempt has come to so far.
type attempt struct {
	// accepted says that the TCP connection (or Unix socket) was made.
	accepted bool
	// spoke says that the server sent its first bytes.
	spoke bool
	// err is why the attempt failed, when the dial, the TLS handshake or
	// the first read said so; nil otherwise.
	err error
}

func newConnPool(o Options) *connPool {
	return &connPool{opts: o, conns: map[connKey]*sharedConn{}}
}

// keyOf is the connection key of a gRPC check; the zero key for others.
func (p *connPool) keyOf(ch Check) connKey {
	if ch.Kind != KindGRPC && ch.Kind != "" {
		return connKey{}
	}
	t := ch.TLS
	if t == nil {
		t = p.opts.TLS
	}
	return connKey{address: ch.Address, tls: t}
}

// keys counts the gRPC checks per connection key.
func (p *connPool) keys(checks []Check) map[connKey]int {
	n := map[connKey]int{}
	for _, ch := range checks {
		if k := p.keyOf(ch); k != (connKey{}) {
			n[k]++
		}
	}
	return n
}

// reserve keeps the connection of key, once made, for n more users.
func (p *connPool) reserve(key connKey, n int) {
	if key == (connKey{}) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	sc := p.conns[key]
	if sc == nil {
		sc = &sharedConn{}
		p.conns[key] = sc
	}
	sc.refs += n
}

// unreserve gives up one use of key's connection, and closes it when no
// user is left.
func (p *connPool) unreserve(key connKey) {
	if key == (connKey{}) {
		return
	}
	p.mu.Lock()
	sc := p.conns[key]
	if sc == nil {
		p.mu.Unlock()
		return
	}
	sc.refs--
	if sc.refs > 0 {
		p.mu.Unlock()
		return
	}
	delete(p.conns, key)
	p.mu.Unlock()
	if sc.conn != nil {
		sc.conn.Close()
	}
}

// acquire returns the connection of key for one more user, creating it if
// needed; the caller calls unreserve when done. The connection is made
// when first used.
func (p *connPool) acquire(key connKey) (*sharedConn, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	sc := p.conns[key]
	if sc == nil {
		sc = &sharedConn{}
		p.conns[key] = sc
	}
	sc.refs++
	if sc.conn == nil {
		conn, err := p.dial(key, sc)
		if err != nil {
			sc.refs--
			if sc.refs == 0 {
				delete(p.conns, key)
			}
			return nil, err
		}
		sc.conn = conn
	}
	return sc, nil
}

// closeAll closes every connection.
func (p *connPool) closeAll() {
	p.mu.Lock()
	conns := p.conns
	p.conns = map[connKey]*sharedConn{}
	p.mu.Unlock()
	for _, sc := range conns {
		if sc.conn != nil {
			sc.conn.Close()
		}
	}
}

// dial makes the client connection of key. It does not connect yet.
func (p *connPool) dial(key connKey, sc *sharedConn) (*grpc.ClientConn, error) {
	var creds credentials.TransportCredentials = insecure.NewCredentials()
	if key.tls != nil {
		creds = credentials.NewTLS(key.tls.Clone())
	}
	network, addr := splitAddress(key.address)
	dialer := &net.Dialer{Timeout: p.opts.ConnectTimeout}
	opts := []grpc.DialOption{
		grpc.WithTransportCredentials(recordingCreds{creds, sc}),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			sc.begin()
			conn, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				sc.fail(err)
				return nil, err
			}
			sc.accept()
			return &firstReadConn{Conn: conn, sc: sc}, nil
		}),
		grpc.WithUserAgent(userAgent()),
		// A health check needs no service config, and looking it up in
		// DNS would slow every check down.
		grpc.WithDisableServiceConfig(),
		// A check is one attempt: a retry would hide the failure it is
		// there to see, and keeping what a retry would replay costs memory.
		grpc.WithDisableRetry(),
		// Health messages are tiny: no read buffer (the framer reads the
		// socket, a few more reads a check) and a small write buffer,
		// which grpc-go holds only while it writes, keep the thousand
		// connections of a monitor within a few dozen megabytes.
		grpc.WithReadBufferSize(0),
		grpc.WithWriteBufferSize(4 << 10),
		grpc.WithConnectParams(grpc.ConnectParams{
			// A monitor reconnects to a server that went away within
			// seconds of its return, not after grpc-go's two minutes.
			Backoff: backoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2, MaxDelay: 2 * time.Second},
			// Twice the checks' connect timeout: a check gives up
			// waiting first and says why, before grpc-go closes the
			// attempt under it.
			MinConnectTimeout: 2 * p.opts.ConnectTimeout,
		}),
	}
	if network == "unix" {
		opts = append(opts, grpc.WithAuthority("localhost"))
	}
	// passthrough hands the address to the dialer as it is: a host name
	// that happens to be the name of a resolver scheme is still a host,
	// and the dialer resolves it as grpc-health-probe's does.
	return grpc.NewClient("passthrough:///"+key.address, opts...)
}

// splitAddress returns the network and address to dial: a Unix socket for
// unix:PATH (unix:///PATH too, as grpc-go spells it), TCP otherwise.
func splitAddress(address string) (network, addr string) {
	if path, ok := strings.CutPrefix(address, "unix:"); ok {
		if p, ok := strings.CutPrefix(path, "//"); ok {
			path = p
		}
		return "unix", path
	}
	return "tcp", address
}

// began says whether the connection has started to dial: grpc-go's own
// goroutines call the dialer, and on a busy machine they may take a while.
func (sc *sharedConn) began() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.attempts > 0
}

func (sc *sharedConn) begin() {
	sc.mu.Lock()
	sc.attempt = attempt{}
	sc.attempts++
	sc.mu.Unlock()
}

func (sc *sharedConn) accept() {
	sc.mu.Lock()
	sc.attempt.accepted = true
	sc.mu.Unlock()
}

func (sc *sharedConn) fail(err error) {
	sc.mu.Lock()
	if sc.attempt.err == nil {
		sc.attempt.err = err
	}
	sc.mu.Unlock()
}

func (sc *sharedConn) spoke() {
	sc.mu.Lock()
	sc.attempt.spoke = true
	sc.mu.Unlock()
}

// last returns what the latest connection attempt came to.
func (sc *sharedConn) last() attempt {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.attempt
}

// firstReadConn records how the first read of a connection ended, the
// server's first bytes or the error of a server that closed or reset the
// connection without a word, and the error of a write that failed.
type firstReadConn struct {
	net.Conn
	sc     *sharedConn
	once   sync.Once
	closed atomic.Bool
}

func (c *firstReadConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.once.Do(func() {
		switch {
		case n > 0:
			c.sc.spoke()
		case err != nil && !c.closed.Load():
			// A read that failed because grpc-go closed the connection
			// itself says nothing about the server.
			c.sc.fail(err)
		}
	})
	return n, err
}

func (c *firstReadConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil && !c.closed.Load() {
		c.sc.fail(err) // the first error of the attempt is kept
	}
	return n, err
}

func (c *firstReadConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

// recordingCreds records the error of a failed TLS handshake.
type recordingCreds struct {
	credentials.TransportCredentials
	sc *sharedConn
}

func (r recordingCreds) ClientHandshake(ctx context.Context, authority string, conn net.Conn) (net.Conn, credentials.AuthInfo, error) {
	c, info, err := r.TransportCredentials.ClientHandshake(ctx, authority, conn)
	if err != nil {
		r.sc.fail(err)
	}
	return c, info, err
}

func (r recordingCreds) Clone() credentials.TransportCredentials {
	return recordingCreds{r.TransportCredentials.Clone(), r.sc}
}
