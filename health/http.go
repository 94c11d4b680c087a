package health

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
	"unicode"
)

// probeHTTP fetches the health URL of ch. 2xx and 3xx pass, as in
// Kubernetes; the body is read up to maxBodyBytes and quoted in the error
// of a failing answer.
func (c *Checker) probeHTTP(ctx context.Context, ch Check) Result {
	r := Result{Service: ch.Service, Kind: KindHTTP, Address: ch.Address, Target: ch.URL, Time: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()

	// Whether a connection was made tells a connection failure (2) from
	// a request failure (3). With TLS, GotConn comes after the handshake.
	var connected atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodGet, ch.URL, nil)
	if err != nil {
		r.Status, r.Error = StatusRequestFailed, err.Error()
		return r
	}
	req.Header = c.opts.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	if c.opts.Host != "" {
		req.Host = c.opts.Host
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", userAgent())
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "*/*")
	}

	resp, err := c.client.Do(req)
	if err != nil {
		r.Latency = time.Since(r.Time)
		r.Status = StatusConnectionFailed
		if connected.Load() {
			r.Status = StatusRequestFailed
		}
		r.Error = c.describeHTTPError(ctx, err, connected.Load())
		return r
	}
	body, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	resp.Body.Close() // unread rest of an endless body: the connection is dropped
	r.Latency = time.Since(r.Time)
	r.Detail = fmt.Sprintf("HTTP %d", resp.StatusCode)

	switch {
	case resp.StatusCode < 200 || resp.StatusCode >= 400:
		r.Status = StatusUnhealthy
		r.Error = fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if s := bodySnippet(body); s != "" {
			r.Error += ": " + s
		}
	case readErr != nil:
		r.Status = StatusRequestFailed
		r.Error = "reading body: " + c.describeHTTPError(ctx, readErr, true)
	default:
		r.Status = StatusHealthy
		if loc := resp.Header.Get("Location"); resp.StatusCode >= 300 && loc != "" {
			r.Detail += ", redirect to " + loc + " not followed"
		}
	}
	return r
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
// which the result already carries.
func (c *Checker) describeHTTPError(ctx context.Context, err error, connected bool) string {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded) && connected:
		return fmt.Sprintf("timeout: no answer within %v", c.opts.Timeout)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Sprintf("timeout: no connection within %v", c.opts.Timeout)
	case errors.Is(ctx.Err(), context.Canceled):
		return "canceled"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() && !connected {
			return fmt.Sprintf("timeout: no connection within %v: %v", c.opts.ConnectTimeout, ue.Err)
		}
		err = ue.Err
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
