package main

import (
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/internal/cli"
)

// addFlags binds every flag of cmd to a field of c, with
// health.DefaultConfig's defaults, and --format (-o) to format. Flags are
// listed in the help in the order given here, by topic.
func addFlags(cmd *cobra.Command, c *health.Config, format *string) {
	fs := cmd.Flags()
	fs.SortFlags = false
	d := health.DefaultConfig()

	// Where services run.
	fs.StringArrayVar(&c.Targets, "target", nil, "where a service runs, as `SERVICE=ADDRESS` (repeatable); SERVICE is a full name, ADDRESS host:port or unix:/PATH")
	fs.StringVar(&c.TargetsFile, "targets", "", "targets `FILE` (YAML): addresses, and settings per service and check kind (timeouts, TLS, headers, ...)")
	fs.StringVar(&c.Addr, "addr", "", "default `ADDRESS` (host:port or unix:/PATH) for services with no other address; without FILE, the one server to check")
	fs.StringVar(&c.HTTPAddr, "http-addr", "", "default `ADDRESS` for HTTP checks: host:port, unix:/PATH, http://host:port or https://host:port")

	// What to check.
	fs.StringArrayVar(&c.Services, "service", nil, "check only services whose full name matches `GLOB` (repeatable; path.Match syntax); without FILE, a service name to check")
	fs.StringArrayVar(&c.Exclude, "exclude", nil, "skip services whose full name matches `GLOB` (repeatable)")
	fs.StringVar(&c.Check, "check", d.Check, "check `KIND`s to run per service: grpc, http, tcp, both (grpc and http), or a comma list such as grpc,tcp")
	fs.BoolVar(&c.ServerCheck, "server-check", false, "also check the whole server (empty grpc.health.v1 service name) once per gRPC address")
	fs.StringVar(&c.HTTPPath, "http-path", d.HTTPPath, "HTTP health `PATH` for services whose registration has none")
	fs.StringArrayVar(&c.Headers, "header", nil, "`'NAME: VALUE'` header for HTTP checks, also sent as gRPC metadata except Host (repeatable)")

	// How to connect.
	fs.BoolVar(&c.TLS, "tls", false, "use TLS for host:port addresses (https for HTTP), except for check kinds the targets file gives tls settings for")
	fs.StringVar(&c.TLSCACert, "tls-ca-cert", "", "(with --tls) `FILE` of PEM CA certificates to verify servers with, instead of the system roots")
	fs.StringVar(&c.TLSClientCert, "tls-client-cert", "", "(with --tls) client certificate `FILE` (PEM), with --tls-client-key")
	fs.StringVar(&c.TLSClientKey, "tls-client-key", "", "(with --tls) client private key `FILE` (PEM), with --tls-client-cert")
	fs.StringVar(&c.TLSServerName, "tls-server-name", "", "(with --tls) `NAME` to verify server certificates against, instead of the address's host")
	fs.BoolVar(&c.TLSNoVerify, "tls-no-verify", false, "(with --tls) do not verify server certificates (insecure)")
	fs.DurationVar(&c.ConnectTimeout, "connect-timeout", d.ConnectTimeout, "time allowed to connect, TLS handshake included; lowered to --timeout when that is shorter")
	fs.DurationVar(&c.Timeout, "timeout", d.Timeout, "time allowed for one whole check, connection included")
	fs.IntVar(&c.Concurrency, "concurrency", d.Concurrency, "checks started at once, at most; 0 fits the machine: 64 per processor, within half the open-file limit")

	// Output: the shared --format (-o), and --output, its name before the
	// three binaries shared one grammar, as an alias.
	cli.FormatFlag(cmd, format)
	fs.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "output" {
			name = "format"
		}
		return pflag.NormalizedName(name)
	})

	// Monitor mode.
	fs.BoolVar(&c.Monitor, "monitor", false, "check continuously and print status changes until SIGINT or SIGTERM; SIGHUP reloads the files")
	fs.DurationVar(&c.Interval, "interval", d.Interval, "(monitor) time between two checks of a service")
	fs.Float64Var(&c.Jitter, "jitter", d.Jitter, "(monitor) random spread of the interval, as a `FRACTION` from 0 to 1")
	fs.IntVar(&c.FailureThreshold, "failure-threshold", d.FailureThreshold, "(monitor) consecutive failures before a healthy service is reported failing")
	fs.IntVar(&c.SuccessThreshold, "success-threshold", d.SuccessThreshold, "(monitor) consecutive successes before a failing service is reported healthy")
	fs.StringVar(&c.Listen, "listen", "", "(monitor) serve Prometheus metrics at http://`ADDRESS`/metrics, with /healthz and /readyz")
	fs.BoolVar(&c.TargetHistogram, "target-histogram", false, "(monitor) add a latency histogram per target to the metrics (large)")
	addEtcdFlags(fs)

	// Shell completion of values.
	_ = cmd.RegisterFlagCompletionFunc("check", cobra.FixedCompletions([]string{"grpc", "http", "tcp", "both"}, cobra.ShellCompDirectiveNoFileComp))
	for _, name := range []string{"targets", "tls-ca-cert", "tls-client-cert", "tls-client-key"} {
		_ = cmd.MarkFlagFilename(name)
	}
}

// givenFlags returns the names of the flags set on the command line, as
// health.Config.Given wants them.
func givenFlags(fs *pflag.FlagSet) map[string]bool {
	given := map[string]bool{}
	fs.Visit(func(f *pflag.Flag) { given[f.Name] = true })
	return given
}
