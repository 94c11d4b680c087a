package health

import (
	"sort"
	"time"
)

// Kind is the kind of a health check.
type Kind string

// The kinds of health check.
const (
	// KindGRPC is a grpc.health.v1 Check (and, in monitor mode, Watch).
	KindGRPC Kind = "grpc"
	// KindHTTP is a request (GET unless the targets file says otherwise)
	// of the service's HTTP health path.
	KindHTTP Kind = "http"
	// KindTCP opens a TCP connection (or a Unix socket) and closes it, as
	// Kubernetes' tcpSocket probe does.
	KindTCP Kind = "tcp"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check, each with the exit code it leads to.
const (
	// StatusHealthy is gRPC SERVING, or an HTTP status from 200 to 399.
	StatusHealthy Status = "healthy"
	// StatusUnhealthy is any other gRPC serving status, or any other HTTP
	// status. Exit code 4.
	StatusUnhealthy Status = "unhealthy"
	// StatusNoHealthService means that the server answered UNIMPLEMENTED:
	// it has no grpc.health.v1.Health service. Exit code 3.
	StatusNoHealthService Status = "no_health_service"
	// StatusRequestFailed means that a connection was made, but the RPC or
	// the HTTP request failed or timed out. Exit code 3.
	StatusRequestFailed Status = "request_failed"
	// StatusConnectionFailed means that no connection could be made within
	// the connect timeout (refused, unreachable, TLS handshake failure), or
	// that the server accepted one but never said a word, over gRPC and
	// HTTP alike. Exit code 2.
	StatusConnectionFailed Status = "connection_failed"
	// StatusUnknown is what a Monitor reports for a target until its
	// checks have met a threshold: nothing is known yet, and nothing is
	// alarming.
	StatusUnknown Status = "unknown"
)

// Exit codes, as grpc-health-probe documents them.
const (
	// ExitHealthy means that every check was healthy, or that a monitor
	// stopped cleanly.
	ExitHealthy = 0
	// ExitInvalidArguments means bad arguments or input: nothing was
	// checked.
	ExitInvalidArguments = 1
	// ExitConnectionFailure means that a check could not connect.
	ExitConnectionFailure = 2
	// ExitRPCFailure means that a request failed or timed out, that the
	// health service did not know the name, or that the server has no
	// health service.
	ExitRPCFailure = 3
	// ExitUnhealthy means a serving status other than SERVING, or an HTTP
	// status outside 200-399.
	ExitUnhealthy = 4
)

// ExitCode is the exit code that a single check with status s leads to.
func (s Status) ExitCode() int {
	switch s {
	case StatusHealthy:
		return ExitHealthy
	case StatusConnectionFailed:
		return ExitConnectionFailure
	case StatusUnhealthy:
		return ExitUnhealthy
	default:
		return ExitRPCFailure
	}
}

// Result is the outcome of one check of one service.
type Result struct {
	// Service is the service's full name; empty for a whole-server check.
	Service string
	// Kind is the kind of check.
	Kind Kind
	// Address is where the check went: host:port, or the base URL given
	// for an HTTP check.
	Address string
	// Target is the grpc.health.v1 service name sent, or the URL fetched.
	Target string
	// Status is the outcome.
	Status Status
	// Detail is the serving status ("SERVING") or the HTTP status line
	// ("HTTP 200"), or the gRPC code of a failed RPC.
	Detail string
	// Latency is the time from the start of the check to its answer,
	// connection included; zero when there was no answer to time.
	Latency time.Duration
	// Error says what went wrong; empty when healthy.
	Error string
	// Time is when the check started.
	Time time.Time
}

// newResult is the result of ch before it is run: named, started now.
func newResult(ch Check) Result {
	r := Result{Service: ch.Service, Kind: ch.Kind, Address: ch.Address, Target: ch.GRPCService, Time: time.Now()}
	switch ch.Kind {
	case KindHTTP:
		r.Target = ch.URL
	case KindTCP:
		r.Target = ch.Address
	}
	return r
}

// answered says whether the server answered the check, well or badly.
func (r Result) answered() bool {
	switch r.Status {
	case StatusHealthy, StatusUnhealthy, StatusNoHealthService:
		return true
	}
	return false
}

// ExitCode is the exit code of a whole run: ExitHealthy when every check
// is healthy, otherwise the most severe failure, connection failure (2)
// before RPC failure (3) before unhealthy (4). A script that sees 4 knows
// that every failing service was reachable and answered.
func ExitCode(results []Result) int {
	code := ExitHealthy
	for _, r := range results {
		c := r.Status.ExitCode()
		if c != ExitHealthy && (code == ExitHealthy || c < code) {
			code = c
		}
	}
	return code
}

// SortResults orders results by service, kind and address, so that output
// does not depend on which check finished first.
func SortResults(results []Result) {
	sort.SliceStable(results, func(i, j int) bool {
		a, b := results[i], results[j]
		if a.Service != b.Service {
			return a.Service < b.Service
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Address < b.Address
	})
}
