package main

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
	// KindHTTP is a GET of the service's HTTP health path.
	KindHTTP Kind = "http"
)

// Status is the outcome of one check.
type Status string

// The outcomes of a check, each with the exit code it leads to.
const (
	// StatusHealthy: gRPC SERVING, or an HTTP status from 200 to 399.
	StatusHealthy Status = "healthy"
	// StatusUnhealthy: any other gRPC serving status, or any other HTTP
	// status. Exit code 4.
	StatusUnhealthy Status = "unhealthy"
	// StatusNoHealthService: the server answered UNIMPLEMENTED, it has no
	// grpc.health.v1.Health service. Exit code 3.
	StatusNoHealthService Status = "no_health_service"
	// StatusRequestFailed: connected, but the RPC or the HTTP request
	// failed or timed out. Exit code 3.
	StatusRequestFailed Status = "request_failed"
	// StatusConnectionFailed: no connection could be made within the
	// connect timeout (refused, unreachable, TLS handshake failure). Exit
	// code 2.
	StatusConnectionFailed Status = "connection_failed"
)

// Exit codes, as grpc-health-probe documents them.
const (
	exitHealthy           = 0
	exitInvalidArguments  = 1
	exitConnectionFailure = 2
	exitRPCFailure        = 3
	exitUnhealthy         = 4
)

// exitCode is the exit code that a single check with status s leads to.
func (s Status) exitCode() int {
	switch s {
	case StatusHealthy:
		return exitHealthy
	case StatusConnectionFailed:
		return exitConnectionFailure
	case StatusUnhealthy:
		return exitUnhealthy
	default:
		return exitRPCFailure
	}
}

// Result is the outcome of one check of one service.
type Result struct {
	// Service is the service's full name; empty for a whole-server check.
	Service string
	Kind    Kind
	// Address is where the check went: host:port, or the base URL given
	// for an HTTP check.
	Address string
	// Target is the grpc.health.v1 service name sent, or the URL fetched.
	Target string
	Status Status
	// Detail is the serving status ("SERVING") or the HTTP status line
	// ("HTTP 200"), or the gRPC code of a failed RPC.
	Detail string
	// Latency is the time from the start of the check to its answer,
	// connection included.
	Latency time.Duration
	// Err says what went wrong; empty when healthy.
	Err string
	// Time is when the check started.
	Time time.Time
}

// exitCodeOf is the exit code of a whole run: 0 when every check is
// healthy, otherwise the most severe failure, connection failure (2) before
// RPC failure (3) before unhealthy (4). A script that sees 4 knows that
// every failing service was reachable and answered.
func exitCodeOf(results []Result) int {
	code := exitHealthy
	for _, r := range results {
		c := r.Status.exitCode()
		if c != exitHealthy && (code == exitHealthy || c < code) {
			code = c
		}
	}
	return code
}

// sortResults orders results by service, kind and address, so that output
// does not depend on which check finished first.
func sortResults(results []Result) {
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
