// Package health checks that services are alive over grpc.health.v1, HTTP
// and TCP, the way grpc-health-probe and Kubernetes probes do, for a whole
// fleet at once, once or continuously. It is the checker of the
// registration-health command, for a sidecar, a CronJob or a test that
// wants to embed it.
//
// # Checks
//
// A gRPC check sends grpc.health.v1.Health/Check with a service name over
// a fresh connection: SERVING passes, another serving status is
// StatusUnhealthy, a server without the health service (UNIMPLEMENTED) is
// StatusNoHealthService. An HTTP check GETs a URL: 2xx and 3xx pass, as in
// Kubernetes; redirects are followed on the same host and port only, at
// most 10; at most 10 KiB of the body is read, and the start of a failing
// answer's body is quoted in the error; a Check may change the method,
// the statuses that pass and ask for the body to match a regexp. A TCP
// check opens a connection and closes it. Every kind connects to host:port
// or to a Unix socket (unix:/PATH). A check that cannot connect within
// the connect timeout is StatusConnectionFailed; one that connected but
// got no answer is StatusRequestFailed.
//
// A Checker runs checks, one (Probe) or many at once with a bound
// (Batch). A Monitor repeats them with an interval, jitter and failure
// and success thresholds, holds a Watch stream per gRPC target, reports
// each change of status and records Metrics. ExitCode maps results to
// grpc-health-probe's exit codes, and WriteResults and WriteEvent write
// them as a table, JSON or YAML.
//
//	c := health.NewChecker(health.Options{Timeout: time.Second})
//	defer c.Close()
//	results := c.Batch(ctx, []health.Check{
//		{Service: "library.v1.LibraryService", Kind: health.KindGRPC,
//			Address: "library:9090", GRPCService: "library.v1.LibraryService"},
//		{Service: "library.v1.LibraryService", Kind: health.KindHTTP,
//			Address: "library:8080", URL: "http://library:8080/healthz"},
//	}, 100)
//	health.SortResults(results)
//	health.WriteResults(os.Stdout, health.FormatTable, results)
//	os.Exit(health.ExitCode(results))
//
// # From registration files
//
// A Config is registration-health's command line as a value: the
// registration files that protoc-gen-registration writes say what to
// check, and targets, a targets file or default addresses say where.
// The targets file also says how, per service and check kind, as
// Kubernetes probes and Consul checks do: the kinds to run (grpc, http,
// tcp), a timeout, TLS (a CA, a client certificate, a server name; for
// one kind, never the other), gRPC metadata, an HTTP method, path,
// headers, the statuses that pass and a regexp the body must match, and
// the monitor's interval and thresholds. A service's kind block wins over
// its entry, which wins over the default's kind block, then the default
// entry, then the flags; TLS file names are relative to the targets file.
// See Config.Plan for the format. Without registration files, Addr is
// one server to check, as grpc-health-probe does: the whole server, or
// each of Services by name.
//
// Config.Plan reads and checks all of it, every file it names included,
// reporting every problem at once with the flag, or the file and key, at
// fault; and Run runs the plan as the command does:
//
//	cfg := health.DefaultConfig()
//	cfg.Files = []string{"gen/all.registration.json"}
//	cfg.TargetsFile = "targets.yaml"
//	cfg.Check = "both"
//	plan, err := cfg.Plan()
//	if err != nil {
//		log.Fatal(err)
//	}
//	os.Exit(health.Run(ctx, plan, os.Stdout, os.Stderr))
//
// # Exit codes
//
// As grpc-health-probe documents them: ExitHealthy (0) when every check
// is healthy, ExitInvalidArguments (1) for bad input, then for failed
// checks the most severe of ExitConnectionFailure (2), ExitRPCFailure (3)
// and ExitUnhealthy (4). A script that gets 4 knows that every failing
// service was reachable and answered.
package health
