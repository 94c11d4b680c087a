package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/ovasabi/protoc-gen-registration/health"
)

// errVersion asks run to print the version and stop.
var errVersion = errors.New("version requested")

// stringList is a flag that may be given many times.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// newFlagSet binds every flag to a field of c, with health.DefaultConfig's
// defaults, and --version to showVersion. The flag package's own output is
// discarded: run prints errors and usage itself.
func newFlagSet(c *health.Config, showVersion *bool) *flag.FlagSet {
	fs := flag.NewFlagSet(programName, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	d := health.DefaultConfig()

	// Where services run.
	fs.Var((*stringList)(&c.Targets), "target", "where a service runs, as `SERVICE=ADDRESS` (repeatable); SERVICE is a full name")
	fs.StringVar(&c.TargetsFile, "targets", "", "targets `FILE` (YAML) giving addresses for many services")
	fs.StringVar(&c.Addr, "addr", "", "default `ADDRESS` (host:port) for services with no other address")
	fs.StringVar(&c.HTTPAddr, "http-addr", "", "default `ADDRESS` for HTTP checks: host:port, http://host:port or https://host:port")

	// What to check.
	fs.Var((*stringList)(&c.Services), "service", "check only services whose full name matches `GLOB` (repeatable; path.Match syntax)")
	fs.Var((*stringList)(&c.Exclude), "exclude", "skip services whose full name matches `GLOB` (repeatable)")
	fs.StringVar(&c.Check, "check", d.Check, "check `KIND` to run per service: grpc, http or both")
	fs.BoolVar(&c.ServerCheck, "server-check", false, "also check the whole server (empty grpc.health.v1 service name) once per gRPC address")
	fs.StringVar(&c.HTTPPath, "http-path", d.HTTPPath, "HTTP health `PATH` for services whose registration has none")
	fs.Var((*stringList)(&c.Headers), "header", "`'NAME: VALUE'` header for HTTP checks, also sent as gRPC metadata except Host (repeatable)")

	// How to connect.
	fs.BoolVar(&c.TLS, "tls", false, "use TLS for host:port addresses (https for HTTP)")
	fs.StringVar(&c.TLSCACert, "tls-ca-cert", "", "(with --tls) `FILE` of PEM CA certificates to verify servers with, instead of the system roots")
	fs.StringVar(&c.TLSClientCert, "tls-client-cert", "", "(with --tls) client certificate `FILE` (PEM), with --tls-client-key")
	fs.StringVar(&c.TLSClientKey, "tls-client-key", "", "(with --tls) client private key `FILE` (PEM), with --tls-client-cert")
	fs.StringVar(&c.TLSServerName, "tls-server-name", "", "(with --tls) `NAME` to verify server certificates against, instead of the address's host")
	fs.BoolVar(&c.TLSNoVerify, "tls-no-verify", false, "(with --tls) do not verify server certificates (insecure)")
	fs.DurationVar(&c.ConnectTimeout, "connect-timeout", d.ConnectTimeout, "time allowed to connect, TLS handshake included; at most --timeout (default 1s, or --timeout if shorter)")
	fs.DurationVar(&c.Timeout, "timeout", d.Timeout, "time allowed for one whole check, connection included")
	fs.IntVar(&c.Concurrency, "concurrency", d.Concurrency, "checks in flight at once, at most")

	// Output.
	fs.StringVar(&c.Output, "output", "", "output `FORMAT`: table, json or yaml (default table on a terminal, json otherwise)")
	fs.StringVar(&c.Output, "o", "", "short for --output")

	// Monitor mode.
	fs.BoolVar(&c.Monitor, "monitor", false, "check continuously and print status changes until SIGINT or SIGTERM")
	fs.DurationVar(&c.Interval, "interval", d.Interval, "(monitor) time between two checks of a service")
	fs.Float64Var(&c.Jitter, "jitter", d.Jitter, "(monitor) random spread of the interval, as a `FRACTION` from 0 to 1")
	fs.IntVar(&c.FailureThreshold, "failure-threshold", d.FailureThreshold, "(monitor) consecutive failures before a healthy service is reported failing")
	fs.IntVar(&c.SuccessThreshold, "success-threshold", d.SuccessThreshold, "(monitor) consecutive successes before a failing service is reported healthy")
	fs.StringVar(&c.Listen, "listen", "", "(monitor) serve Prometheus metrics at http://`ADDRESS`/metrics")

	fs.BoolVar(showVersion, "version", false, "print the version and exit")
	return fs
}

// parseArgs turns the command line into a health.Config, with the flags
// given recorded in Config.Given. Flags may come before, between and
// after the registration files; everything after "--" is a file. It
// returns flag.ErrHelp for -h and --help and errVersion for --version.
// The Config is not checked yet: see health.Config.Plan.
func parseArgs(args []string) (health.Config, error) {
	var c health.Config
	var showVersion bool
	fs := newFlagSet(&c, &showVersion)
	for {
		if err := fs.Parse(args); err != nil {
			return c, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if i := len(args) - len(rest); i > 0 && args[i-1] == "--" {
			c.Files = append(c.Files, rest...)
			break
		}
		c.Files = append(c.Files, rest[0])
		args = rest[1:]
	}
	c.Given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { c.Given[f.Name] = true })
	if showVersion {
		return c, errVersion
	}
	return c, nil
}

// writeFlags prints every flag with two dashes, in alphabetical order.
func writeFlags(w io.Writer) {
	fs := newFlagSet(&health.Config{}, new(bool))
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "o" {
			return
		}
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if f.Name == "output" {
			line = "  -o, --output"
		}
		if name != "" {
			line += " " + name
		}
		if f.DefValue != "" && f.DefValue != "false" && !strings.Contains(usage, "(default") {
			usage += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "%s\n      %s\n", line, usage)
	})
}
