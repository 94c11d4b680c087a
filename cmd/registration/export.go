package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ovasabi/protoc-gen-registration/health"
	"github.com/ovasabi/protoc-gen-registration/internal/cli"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/export"
)

const exportDescription = `Write the services of registrations into the formats of the catalogs and
platforms teams already run, one document per service (two for Backstage
and for --service-manifest), ordered by service full name:

  backstage   a Component and a gRPC API entity per service, for a Backstage
              catalog; the Component provides the API and consumes and
              depends on what the service depends on
  consul      the agent's service registration (PUT
              /v1/agent/service/register), with a gRPC and an HTTP check
  kubernetes  a container's probes per service and, with --service-manifest,
              a Service manifest

FILE is a registration file, "-" (standard input), or a directory: every
*.registration.json, .yaml and .yml file under it, read together, as
compare reads them. Output goes to standard output as one YAML stream, each
document after a "---" line, or with --out to one file per document under
DIR. Nothing is written unless every service exports: a service without an
owner, health facts or an address, or whose name no documented rule makes
valid, is an error that names it. For consul and kubernetes, addresses and
check settings come from the flags and targets file that registration-health
reads (--addr, --http-addr, --target, --targets, --check). docs/export.md
is the manual.`

const exportExit = `
Exit status:
  0  ok
  1  bad arguments, a file that cannot be read or that the reader refuses,
     an unreachable etcd, a service that cannot be exported
`

type exportOptions struct {
	source                     etcdFlags
	to, out                    string
	shortenNames               bool
	owner, lifecycle           string
	definition, definitionBase string
	health                     health.Config
	targets                    cli.List
	defaults                   export.CheckDefaults
	serviceManifest            bool
	selector                   cli.List
}

// exportTargetFlags are the flags that only some targets use.
var exportTargetFlags = map[string][]string{
	export.Backstage:  {"owner", "lifecycle", "definition", "definition-base"},
	export.Consul:     {"addr", "http-addr", "target", "targets", "check", "timeout", "interval", "failure-threshold", "success-threshold"},
	export.Kubernetes: {"addr", "http-addr", "target", "targets", "check", "timeout", "interval", "failure-threshold", "success-threshold", "service-manifest", "selector"},
}

func exportCommand() *cobra.Command {
	o := exportOptions{health: health.DefaultConfig(), defaults: export.DefaultCheckDefaults()}
	o.health.Check = "both"
	cmd := &cobra.Command{
		Use:   "export --to backstage|consul|kubernetes [flags] FILE|DIR... | --etcd URLS",
		Short: "Write Backstage entities, Consul registrations or Kubernetes probes per service",
		Long:  exportDescription + "\n\n" + etcdReadHelp,
		Example: `  registration export --to backstage --lifecycle production gen/aggregate/registry.registration.json
  registration export --to backstage --lifecycle production --definition url --definition-base https://github.com/acme/apis/blob/main/proto/ --out catalog gen/registration
  registration export --to consul --addr 10.0.0.7:9090 --http-addr 10.0.0.7:8080 gen/aggregate/registry.registration.json
  registration export --to consul --targets targets.yaml --out consul.d gen/registration
  registration export --to kubernetes --addr localhost:9090 --http-addr localhost:8080 --service-manifest gen/aggregate/registry.registration.json
  registration export --to backstage --lifecycle production --out catalog --etcd http://127.0.0.1:2379`,
		GroupID:     readGroup,
		Annotations: map[string]string{topicsKey: exportExit},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := o.source.check(cmd); err != nil {
				return err
			}
			return exportFiles(cmd, cmd.OutOrStdout(), &o, args)
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.StringVar(&o.to, "to", "", "what to write: `TARGET` "+strings.Join(export.Targets, ", "))
	fs.StringVar(&o.out, "out", "", "write one file per document under `DIR` instead of standard output")
	fs.BoolVar(&o.shortenNames, "shorten-names", false, "let a name too long for the target (63 characters) lose leading package components until it fits")
	fs.StringVar(&o.owner, "owner", "", "(backstage) owner entity `REF` of services whose registration names none")
	fs.StringVar(&o.lifecycle, "lifecycle", "", "(backstage) `LIFECYCLE` of services that are not deprecated, such as experimental or production")
	fs.StringVar(&o.definition, "definition", export.DefinitionText, "(backstage) `HOW` the API's definition names its proto file: text ($text) or url ($url)")
	fs.StringVar(&o.definitionBase, "definition-base", "", "(backstage) `PREFIX` joined before the proto file's path in the definition: a directory relative to the catalog file, or a URL")
	fs.StringVar(&o.health.Addr, "addr", "", "(consul, kubernetes) host:port `ADDRESS` of services with no other address")
	fs.StringVar(&o.health.HTTPAddr, "http-addr", "", "(consul, kubernetes) `ADDRESS` of HTTP checks with no other address: host:port or http(s)://host:port")
	fs.Var(&o.targets, "target", "(consul, kubernetes) `SERVICE=ADDRESS`: where a service runs; repeatable")
	fs.StringVar(&o.health.TargetsFile, "targets", "", "(consul, kubernetes) registration-health's targets `FILE`: addresses and settings per service")
	fs.StringVar(&o.health.Check, "check", o.health.Check, "(consul, kubernetes) check `KINDS` per service: grpc, http, tcp, both, or a comma list")
	fs.DurationVar(&o.health.Timeout, "timeout", o.health.Timeout, "(consul, kubernetes) timeout of checks that the targets file gives none")
	fs.DurationVar(&o.defaults.Interval, "interval", o.defaults.Interval, "(consul, kubernetes) interval of checks that the targets file gives none")
	fs.IntVar(&o.defaults.FailureThreshold, "failure-threshold", o.defaults.FailureThreshold, "(consul, kubernetes) failures before critical, where the targets file gives none")
	fs.IntVar(&o.defaults.SuccessThreshold, "success-threshold", o.defaults.SuccessThreshold, "(consul, kubernetes) successes before passing, where the targets file gives none")
	fs.BoolVar(&o.serviceManifest, "service-manifest", false, "(kubernetes) also write a Service manifest per service")
	fs.Var(&o.selector, "selector", "(kubernetes) `KEY=VALUE` of the Service manifests' selector; repeatable (default app.kubernetes.io/name=NAME)")
	addEtcdFlags(cmd, &o.source, "read the registrations from", false)
	completeValues(cmd, "to", export.Targets)
	completeValues(cmd, "definition", export.Definitions)
	return cmd
}

func exportFiles(cmd *cobra.Command, stdout io.Writer, o *exportOptions, args []string) error {
	if !slices.Contains(export.Targets, o.to) {
		if o.to == "" {
			return cli.Usagef("give --to: one of %s", strings.Join(export.Targets, ", "))
		}
		return cli.Usagef("--to %q: unknown target; want one of %s", o.to, strings.Join(export.Targets, ", "))
	}
	var refused []string
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if ts := targetsOf(f.Name); ts != nil && !slices.Contains(ts, o.to) {
			refused = append(refused, fmt.Sprintf("--%s is for --to %s, not %s", f.Name, strings.Join(ts, " or "), o.to))
		}
	})
	if len(refused) > 0 {
		return cli.Usagef("%s", strings.Join(refused, "; "))
	}
	if !slices.Contains(export.Definitions, o.definition) {
		return cli.Usagef("--definition %q: want %s", o.definition, strings.Join(export.Definitions, " or "))
	}
	if o.defaults.Interval <= 0 {
		return cli.Usagef("--interval %v: must be positive", o.defaults.Interval)
	}
	if o.defaults.FailureThreshold < 1 || o.defaults.SuccessThreshold < 1 {
		return cli.Usagef("--failure-threshold and --success-threshold: must be at least 1")
	}
	services, err := exportSource(cmd.Context(), &o.source, args)
	if err != nil {
		return err
	}
	opts := export.Options{
		Target:          o.to,
		ShortenNames:    o.shortenNames,
		Owner:           o.owner,
		Lifecycle:       o.lifecycle,
		Definition:      o.definition,
		DefinitionBase:  o.definitionBase,
		Defaults:        o.defaults,
		ServiceManifest: o.serviceManifest,
		Selector:        o.selector,
	}
	if o.to != export.Backstage {
		o.health.Targets = o.targets
		if opts.Checks, err = export.Plan(services, o.health); err != nil {
			return err
		}
	}
	docs, err := export.Export(services, opts)
	if err != nil {
		return err
	}
	if o.out != "" {
		return export.WriteDir(o.out, docs)
	}
	return export.Write(stdout, docs)
}

// exportSource reads the services to export: from etcd with --etcd,
// otherwise from files and directories, never both.
func exportSource(ctx context.Context, source *etcdFlags, args []string) ([]*registration.Service, error) {
	if source.given() {
		if len(args) > 0 {
			return nil, cli.Usagef("give registration files or --etcd, not both (files: %s)", strings.Join(args, " "))
		}
		set, err := source.readEtcd(ctx)
		if err != nil {
			return nil, err
		}
		return set.Services, nil
	}
	if len(args) == 0 {
		return nil, cli.Usagef("name at least one registration file or directory, or read from etcd with --etcd")
	}
	reg, err := readSide(args)
	if err != nil {
		return nil, err
	}
	return reg.Services, nil
}

// targetsOf are the targets that use a flag; nil for a flag of every
// target.
func targetsOf(flag string) []string {
	var ts []string
	for _, t := range export.Targets {
		if slices.Contains(exportTargetFlags[t], flag) {
			ts = append(ts, t)
		}
	}
	if len(ts) == len(export.Targets) {
		return nil
	}
	return ts
}
