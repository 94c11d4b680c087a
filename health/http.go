package health

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
)

// unixSocketKey is the context key of the Unix socket an HTTP check
// connects to.
type unixSocketKey struct{}

// probeHTTP requests the health URL of ch. 2xx and 3xx pass, as in
// Kubernetes, unless the check expects other statuses or a body match; the
// body is read up to maxBodyBytes and quoted in the error of a failing
// answer.
func (c *Checker) probeHTTP(ctx context.Context, ch Check) Result {
	r := newResult(ch)
	timeout := c.timeout(ch)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// A server is connected once it has said something: its TLS handshake
	// or the first byte of its answer. One that accepts the connection and
	// says nothing is a connection failure (2), as it is over gRPC; one
	// that said something and then failed is a request failure (3).
	var dialing, accepted, spoke atomic.Bool
	trace := &httptrace.ClientTrace{
		DNSStart:     func(httptrace.DNSStartInfo) { dialing.Store(true) },
		ConnectStart: func(_, _ string) { dialing.Store(true) },
		ConnectDone: func(_, _ string, err error) {
			if err == nil {
				accepted.Store(true)
			}
		},
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				spoke.Store(true)
				serverSpoke(ctx)
			}
		},
		GotFirstResponseByte: func() {
			spoke.Store(true)
			serverSpoke(ctx)
		},
	}
	tctx := httptrace.WithClientTrace(ctx, trace)
	dialStarted(ctx, dialing.Load)
	if network, path := splitAddress(ch.Address); network == "unix" {
		tctx = context.WithValue(tctx, unixSocketKey{}, path)
	}
	method := ch.Method
	if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(tctx, method, ch.URL, nil)
	if err != nil {
		r.Status, r.Error = StatusRequestFailed, err.Error()
		return r
	}
	req.Header = c.header(ch)
	if host := cmp(ch.Host, c.opts.Host); host != "" {
		req.Host = host
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", userAgent())
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "*/*")
	}

	resp, err := c.httpClient(ch).Do(req)
	if err != nil {
		r.Latency = time.Since(r.Time)
		r.Status = StatusConnectionFailed
		if spoke.Load() {
			r.Status = StatusRequestFailed
		}
		r.Error = describeHTTPError(ctx, err, accepted.Load(), spoke.Load(), timeout, c.connectTimeout(ch))
		return r
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	resp.Body.Close() // unread rest of an endless body: the connection is dropped
	r.Latency = time.Since(r.Time)
	r.Detail = fmt.Sprintf("HTTP %d", resp.StatusCode)

	switch {
	case !statusPasses(resp.StatusCode, ch.ExpectStatus):
		r.Status = StatusUnhealthy
		r.Error = fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if len(ch.ExpectStatus) > 0 {
			r.Error += fmt.Sprintf(" (want %s)", joinInts(ch.ExpectStatus))
		}
		if s := bodySnippet(body); s != "" {
			r.Error += ": " + s
		}
	case readErr != nil:
		r.Status = StatusRequestFailed
		r.Error = "reading body: " + describeHTTPError(ctx, readErr, true, true, timeout, c.connectTimeout(ch))
	case ch.BodyMatch != nil && !ch.BodyMatch.Match(body):
		r.Status = StatusUnhealthy
		r.Error = fmt.Sprintf("body does not match %q", ch.BodyMatch.String())
		if s := bodySnippet(body); s != "" {
			r.Error += ": " + s
		}
	default:
		r.Status = StatusHealthy
		if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && resp.StatusCode < 400 && loc != "" {
			r.Detail += ", redirect to " + loc + " not followed"
		}
	}
	return r
}

// header is the header of an HTTP check, a copy the request may change.
func (c *Checker) header(ch Check) http.Header {
	h := ch.Header
	if h == nil {
		h = c.opts.Header
	}
	if h = h.Clone(); h == nil {
		h = http.Header{}
	}
	return h
}

// httpClient is the client of an HTTP check: the Checker's, or one of a
// transport with the check's own TLS configuration.
func (c *Checker) httpClient(ch Check) *http.Client {
	if ch.TLS == nil || ch.TLS == c.opts.TLS {
		return c.client
	}
	if cl, ok := c.tlsClients.Load(ch.TLS); ok {
		return cl.(*http.Client)
	}
	t := c.transport.Clone()
	t.TLSClientConfig = ch.TLS
	cl, _ := c.tlsClients.LoadOrStore(ch.TLS, &http.Client{Transport: t, CheckRedirect: sameHostRedirects})
	return cl.(*http.Client)
}

// statusPasses says whether an HTTP status passes: one of expect, or from
// 200 to 399 when expect is empty.
func statusPasses(code int, expect []int) bool {
	if len(expect) > 0 {
		return slices.Contains(expect, code)
	}
	return code >= 200 && code < 400
}

func joinInts(list []int) string {
	s := make([]string, len(list))
	for i, n := range list {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// cmp returns the first of its arguments that is not empty.
func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// sameHostRedirects follows redirects on the same host and port only. A
// redirect elsewhere is not followed: its 3xx answer is the result, and
// passes, as in Kubernetes.
func sameHostRedirects(req *http.Request, via []*http.Request) error {
	if req.URL.Host != via[0].URL.Host {
		return http.ErrUseLastResponse
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	return nil
}

// describeHTTPError turns a client error into a message without the URL,
// which the result already carries. It tells the cases apart by the
// check's context, the trace and the error's type, never by its text.
func describeHTTPError(ctx context.Context, err error, accepted, spoke bool, timeout, connectTimeout time.Duration) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && spoke:
		return fmt.Sprintf("timeout: no answer within %v", timeout)
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && accepted:
		return fmt.Sprintf("timeout: the server accepted the connection but sent nothing within %v", timeout)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("timeout: no connection within %v", timeout)
	case errors.Is(ctx.Err(), context.Canceled):
		return "canceled"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && !accepted {
		return fmt.Sprintf("timeout: no connection within %v: %v", connectTimeout, err)
	}
	if accepted && !spoke && errors.Is(err, io.EOF) {
		return "the server closed the connection without a word"
	}
	return err.Error()
}

// bodySnippet is the start of a response body, on one line, for an error
// message.
func bodySnippet(body []byte) string {
	const max = 200
	s := strings.ToValidUTF8(string(body), "?")
	s = strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "") + "..."
	}
	return s
}
