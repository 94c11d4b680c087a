package main

// description is the help's first paragraph.
const description = `Checks that the services listed in registration files are alive, over
grpc.health.v1, HTTP and TCP, for a whole fleet at once. Registration files
are those protoc-gen-registration writes, JSON or YAML, per proto file or
aggregate; "-" is standard input. A service found in several files is
checked once. Flags may come before, between or after the files; everything
after "--" is a file. Without files, --addr (or --http-addr) is one server
to check, as with grpc-health-probe: the whole server, or each --service by
name.`

// examples is the help's Examples section.
const examples = `  registration-health --addr 127.0.0.1:9090 gen/registration.json
  registration-health --targets targets.yaml --check both gen/*.registration.json
  registration-health gen/all.yaml --targets targets.yaml --service 'library.v1.*' -o table
  cat gen/all.json | registration-health --addr 127.0.0.1:9090 --format yaml -
  registration-health --monitor --interval 5s --listen :9102 --targets targets.yaml gen/all.json
  registration-health --monitor --publish-etcd http://127.0.0.1:2379 --targets targets.yaml gen/all.json
  registration-health --addr 127.0.0.1:9090
  registration-health --addr unix:/run/library.sock --service library.v1.LibraryService
  registration-health --check http --http-addr 127.0.0.1:8080 --http-path /readyz`

// topics follow the flags in the root command's help: what the flags do
// together, and the exit codes.
const topics = `
Checks (--check grpc, http, tcp, both = grpc,http, or a comma list; default
grpc; a targets file's check: key chooses per service):
  grpc  grpc.health.v1.Health/Check with the service's health name (its full
        name); SERVING passes. UNIMPLEMENTED is reported as no_health_service.
        --server-check adds one Check with the empty name per address.
  http  GET of the service's health path (targets file, else registration,
        else --http-path); 2xx and 3xx pass, as in Kubernetes, unless the
        targets file says otherwise. Redirects are followed on the same
        host:port only; at most 10 KiB of the body is read.
  tcp   a connection is opened and closed, as Kubernetes' tcpSocket probe.

Without registration files (grpc-health-probe's use):
  registration-health --addr HOST:PORT                  the whole server
  registration-health --addr HOST:PORT --service NAME   NAME (repeatable)
--service is then a name, not a glob; --check http uses --http-addr or
--addr and --http-path.

Where services run (first found wins, per service and check kind):
  1. --target SERVICE=ADDRESS
  2. the targets file's entry for the service: its kind block's address
     (grpc.address, http.address, tcp.address), then grpc_address or
     http_address, then address (TCP: address, then grpc_address)
  3. --http-addr (HTTP checks), then --addr
  4. the targets file's default entry, the same way
ADDRESS is host:port, or a Unix socket unix:/PATH or unix:///PATH (absolute).
An HTTP address may also be http://host:port or https://host:port. With
--tls, host:port addresses use TLS, for check kinds the targets file gives
no tls settings for.

Targets file (YAML, unknown keys rejected; see the README for every key):
  default:                          # for every service without its own value
    address: 127.0.0.1:9090
    timeout: 1s
  services:
    library.v1.LibraryService:
      check: [grpc, http]
      grpc_address: library.internal:9090
      http_address: https://library.internal:8443
      grpc: {metadata: {authorization: "Bearer x"}, tls: {ca: ca.pem}}
      http: {path: /readyz, expect_status: [200, 204], tls: {ca: private-ca.pem}}
    shelf.v1.ShelfService:
      address: unix:/run/shelf.sock
      timeout: 500ms
Each setting comes from the service's kind block (grpc, http, tcp), else
its entry, else the default's kind block, else the default entry, else the
flags. A tls key turns TLS on for its kind only; tls: false turns it off.
File names are relative to the targets file. interval and the thresholds
only matter with --monitor, and are accepted without it.

Selection: --service and --exclude take globs in path.Match syntax matched
against full service names ('library.v1.*', '*.LibraryService'); without
--service every service is checked. A --service glob that matches nothing,
or an address for a service in no registration file, is an error.

Batch (default): checks start in order, at most --concurrency at once (0: 64
per processor), each bounded by --timeout from the start of its dial;
results are printed when all are done.
Monitor (--monitor): first checks spread over --interval, then each repeats
every --interval (spread by --jitter); a service is unknown until
--success-threshold consecutive successes make it healthy or
--failure-threshold consecutive failures make it failing, and changes the
same way after. gRPC checks also hold a Watch stream, so that a change pushed
by the server is seen at once (it counts as one check). Each status change is
printed as it happens: a table line, a JSON object per line, or a YAML
document. --listen serves Prometheus metrics, /healthz and /readyz. SIGHUP
reloads the files. --publish-etcd also writes each change into etcd, under
PREFIX/health/SERVICE/ADDRESS as SERVING, NOT_SERVING or UNKNOWN, on a lease
that ends with the monitor (at once when it stops, after --etcd-ttl when it
dies), so that discovery can keep to healthy instances.

Long flags also take one dash (-addr, -timeout=1s), as in grpc-health-probe.
--output is another name for --format.

Exit codes (as grpc-health-probe documents them):
  0  every check healthy (monitor: stopped by SIGTERM)
  1  bad arguments or input; nothing was checked
  2  connection failure
  3  RPC failure: the request failed or timed out, or no health service
  4  unhealthy: NOT_SERVING, an HTTP status outside 200-399 (or the targets
     file's expect_status), or a body that does not match body_match
  129  a batch run ended by SIGHUP (a monitor reloads instead)
  130  ended by SIGINT (Ctrl-C), batch or monitor
  143  a batch run ended by SIGTERM (a monitor exits 0)
When several checks fail, the most severe code wins: 2, then 3, then 4.
`
