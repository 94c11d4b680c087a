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
// (Batch). A Monitor repeats them (see below) and reports each change of
// status. ExitCode maps results to grpc-health-probe's exit codes, and
// WriteResults and WriteEvent write them as a table, JSON or YAML; a
// table shows control characters escaped (\x1b), so that what a server
// answers cannot drive the terminal.
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
// # Monitor
//
// A Monitor checks the way kubelet and Consul do. The first checks of the
// targets are spread evenly over their interval, then each target is
// checked every interval, spread by the jitter, with at most Concurrency
// checks started at once. A target is StatusUnknown until its checks meet
// a threshold: SuccessThreshold good checks in a row make it healthy,
// FailureThreshold failed ones failing, so that a monitor that starts
// raises no alarm over a slow first check, and one bad check does not flap
// a status later. After its first check, each gRPC target holds a Watch
// stream on the one connection its address shares with every check and
// stream to it, so that a status the server pushes is seen at once; it
// counts as one check. Monitor.Reload replaces the checks while the
// monitor runs: targets that stay keep their status and stream. Metrics
// records checks and statuses for Prometheus, and Run serves them with
// /healthz and /readyz.
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
// Plan.OnChange, set before Run, is also told of each change of status
// in monitor mode: package health/etcdsink publishes them into etcd
// that way (registration-health --publish-etcd).
//
// # Exit codes
//
// As grpc-health-probe documents them: ExitHealthy (0) when every check
// is healthy, ExitInvalidArguments (1) for bad input, then for failed
// checks the most severe of ExitConnectionFailure (2), ExitRPCFailure (3)
// and ExitUnhealthy (4). A script that gets 4 knows that every failing
// service was reachable and answered.
//
// A run that a signal ended (Run's context canceled with a StopSignal as
// its cause) exits as a shell reports such a process, 128 plus the
// signal's number: ExitInterrupted (130) for SIGINT, ExitTerminated (143)
// for SIGTERM and ExitHangup (129) for SIGHUP, the results of a batch run
// written first. A monitor that SIGTERM stops exits ExitHealthy (0): that
// is how a supervisor stops it. registration-health reloads a monitor's
// files on SIGHUP instead of ending it.
package health
