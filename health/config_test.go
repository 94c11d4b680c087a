package health

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
	"github.com/ovasabi/protoc-gen-registration/registration"
	"github.com/ovasabi/protoc-gen-registration/registration/load"
)

// TestPlanBadInput checks that every kind of bad input is reported with
// the name of what is wrong, all at once, and that planning starts no
// check: the only address given is a listener that counts connections.
func TestPlanBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		// set changes the default Config, whose Files are a valid
		// registration reg in dir with library.v1.LibraryService and
		// ShelfService.
		set  func(c *Config, dir, reg string)
		want []string // substrings of the error
		// reader names a registration file whose error, as
		// registration/load reports it, the error must hold word for word.
		reader string
		// noAddr leaves Addr empty.
		noAddr bool
	}{
		{
			name:   "no registration file",
			set:    func(c *Config, dir, reg string) { c.Files = nil },
			want:   []string{"no registration file given", "--addr HOST:PORT", "--service NAME"},
			noAddr: true,
		},
		{
			name: "no registration file, --exclude and a bad name",
			set: func(c *Config, dir, reg string) {
				c.Files, c.Exclude, c.Services = nil, []string{"a.*"}, []string{"a b"}
			},
			want: []string{"--exclude needs registration files", `--service "a b": want a full service name`},
		},
		{
			name: "no registration file, a target for another service",
			set: func(c *Config, dir, reg string) {
				c.Files, c.Services, c.Targets = nil, []string{"a.v1.A"}, []string{"b.v1.B=127.0.0.1:1"}
			},
			want: []string{`--target "b.v1.B=127.0.0.1:1": service b.v1.B is not given with --service`},
		},
		{
			name: "no registration file, no address for the kind",
			set:  func(c *Config, dir, reg string) { c.Files, c.Addr, c.HTTPAddr = nil, "", "127.0.0.1:1" },
			want: []string{"the whole server: no grpc address: give --addr"},
		},
		{
			name:   "missing registration file",
			set:    func(c *Config, dir, reg string) { c.Files = append(c.Files, dir+"/missing.json") },
			want:   []string{"missing.json: no such file or directory"},
			reader: "missing.json",
		},
		{
			name: "malformed registration file",
			set: func(c *Config, dir, reg string) {
				c.Files = []string{healthtest.WriteFile(t, dir, "bad.json", `{"format": "registration.v1", "services": [`)}
			},
			want:   []string{"bad.json"},
			reader: "bad.json",
		},
		{
			name: "unknown field in registration file",
			set: func(c *Config, dir, reg string) {
				c.Files = []string{healthtest.WriteFile(t, dir, "bad.yaml", "format: registration.v1\nservicez: []\n")}
			},
			want:   []string{"bad.yaml"},
			reader: "bad.yaml",
		},
		{
			name: "wrong format",
			set: func(c *Config, dir, reg string) {
				c.Files = []string{healthtest.WriteFile(t, dir, "old.json", `{"format": "registration.v0", "files": [], "services": []}`)}
			},
			want:   []string{"old.json"},
			reader: "old.json",
		},
		{
			name: "missing targets file",
			set:  func(c *Config, dir, reg string) { c.TargetsFile = dir + "/nope.yaml" },
			want: []string{"targets file: open ", "nope.yaml: no such file or directory"},
		},
		{
			name: "malformed targets file",
			set: func(c *Config, dir, reg string) {
				c.TargetsFile = healthtest.WriteFile(t, dir, "t.yaml", "services: [\n")
			},
			want: []string{"t.yaml: yaml:"},
		},
		{
			name: "unknown key in targets file",
			set: func(c *Config, dir, reg string) {
				c.TargetsFile = healthtest.WriteFile(t, dir, "t.yaml", "default:\n  adress: 127.0.0.1:1\n")
			},
			want: []string{"t.yaml: line 2: default.adress: unknown key (known: check, address, grpc_address"},
		},
		{
			name: "targets file entry for unknown service",
			set: func(c *Config, dir, reg string) {
				c.TargetsFile = healthtest.WriteFile(t, dir, "t.yaml", "services:\n  library.v1.Nope:\n    address: 127.0.0.1:1\n")
			},
			want: []string{"t.yaml: services: library.v1.Nope is in no registration file"},
		},
		{
			name: "invalid address in targets file",
			set: func(c *Config, dir, reg string) {
				c.TargetsFile = healthtest.WriteFile(t, dir, "t.yaml",
					"services:\n  library.v1.ShelfService:\n    grpc_address: shelf\n    http_address: https://shelf:8443/healthz\n")
			},
			want: []string{
				`t.yaml: services.library.v1.ShelfService.grpc_address: invalid address "shelf": want host:port`,
				`t.yaml: services.library.v1.ShelfService.http_address: invalid URL "https://shelf:8443/healthz"`,
			},
		},
		{
			name: "target for unknown service",
			set:  func(c *Config, dir, reg string) { c.Targets = []string{"library.v1.Nope=127.0.0.1:1"} },
			want: []string{`--target "library.v1.Nope=127.0.0.1:1": service library.v1.Nope is in no registration file`},
		},
		{
			name: "invalid target address",
			set: func(c *Config, dir, reg string) {
				c.Targets = []string{"library.v1.LibraryService=127.0.0.1:99999", "library.v1.ShelfService"}
			},
			want: []string{
				`--target "library.v1.LibraryService=127.0.0.1:99999": invalid address "127.0.0.1:99999": port "99999" is not a number from 1 to 65535`,
				`--target "library.v1.ShelfService": want SERVICE=ADDRESS`,
			},
		},
		{
			name: "invalid default address",
			set:  func(c *Config, dir, reg string) { c.Addr, c.HTTPAddr = ":9090", "unix:" },
			want: []string{`--addr: invalid address ":9090": no host`,
				`--http-addr: invalid address "unix:": want unix:/ABSOLUTE/PATH or unix:///ABSOLUTE/PATH`},
		},
		{
			name: "relative Unix socket",
			set:  func(c *Config, dir, reg string) { c.Targets = []string{"library.v1.LibraryService=unix:run/lib.sock"} },
			want: []string{`--target "library.v1.LibraryService=unix:run/lib.sock": invalid address "unix:run/lib.sock": want unix:/ABSOLUTE/PATH`},
		},
		{
			name:   "service without address",
			set:    func(c *Config, dir, reg string) { c.Targets = []string{"library.v1.LibraryService=127.0.0.1:1"} },
			want:   []string{"service library.v1.ShelfService: no grpc address: give --target library.v1.ShelfService=ADDRESS"},
			noAddr: true,
		},
		{
			name: "missing CA file",
			set:  func(c *Config, dir, reg string) { c.TLS, c.TLSCACert = true, dir+"/ca.pem" },
			want: []string{"--tls-ca-cert: open ", "ca.pem: no such file or directory"},
		},
		{
			name: "CA file without certificate",
			set: func(c *Config, dir, reg string) {
				c.TLS, c.TLSCACert = true, healthtest.WriteFile(t, dir, "ca.pem", "not a certificate")
			},
			want: []string{"ca.pem: no PEM certificate in the file"},
		},
		{
			name: "bad client key pair",
			set: func(c *Config, dir, reg string) {
				c.TLS, c.TLSClientCert, c.TLSClientKey = true, healthtest.WriteFile(t, dir, "c.pem", "x"), dir+"/k.pem"
			},
			want: []string{"--tls-client-cert ", "c.pem, --tls-client-key "},
		},
		{
			name: "client certificate without key",
			set:  func(c *Config, dir, reg string) { c.TLS, c.TLSClientCert = true, dir+"/c.pem" },
			want: []string{"--tls-client-cert needs --tls-client-key"},
		},
		{
			name: "TLS option without TLS",
			set: func(c *Config, dir, reg string) {
				c.TLSNoVerify, c.Given = true, map[string]bool{"tls-no-verify": true}
			},
			want: []string{"--tls-no-verify needs --tls"},
		},
		{
			name: "bad values",
			set: func(c *Config, dir, reg string) {
				c.Check, c.Output, c.Timeout, c.ConnectTimeout = "grpc,udp", "xml", time.Second, 2*time.Second
				c.Concurrency, c.HTTPPath, c.Headers = -1, "healthz", []string{"X-A"}
				c.Given = map[string]bool{"connect-timeout": true}
			},
			want: []string{
				`--check "grpc,udp": want grpc, http, tcp, both (grpc and http), or a comma list such as grpc,tcp`,
				`--output "xml": want table, json or yaml`,
				"--connect-timeout 2s: must be positive and at most --timeout (1s)",
				"--concurrency -1: must be at least 1, or 0 to fit the machine",
				`--http-path "healthz": must start with /`,
				`--header "X-A": want NAME: VALUE`,
			},
		},
		{
			name: "monitor settings without monitor",
			set: func(c *Config, dir, reg string) {
				c.Interval, c.Listen = time.Second, ":0"
				c.Given = map[string]bool{"interval": true, "listen": true}
			},
			want: []string{"--interval needs --monitor", "--listen needs --monitor"},
		},
		{
			name: "bad monitor values",
			set: func(c *Config, dir, reg string) {
				c.Monitor, c.Interval, c.Jitter, c.FailureThreshold, c.Listen = true, 0, 2, 0, "nope"
			},
			want: []string{"--interval 0s: must be positive", "--jitter 2: must be from 0 to 1",
				"--failure-threshold 0: must be at least 1", `--listen "nope"`},
		},
		{
			name: "server check without gRPC",
			set:  func(c *Config, dir, reg string) { c.Check, c.ServerCheck = "http", true },
			want: []string{"--server-check needs gRPC checks"},
		},
		{
			name: "glob that matches nothing",
			set:  func(c *Config, dir, reg string) { c.Services = []string{"shelf.*"} },
			want: []string{`--service "shelf.*" matches no service in the registration files`},
		},
		{
			name: "malformed glob",
			set:  func(c *Config, dir, reg string) { c.Services = []string{"library.["} },
			want: []string{`glob "library.[": syntax error in pattern`},
		},
		{
			name: "everything excluded",
			set:  func(c *Config, dir, reg string) { c.Exclude = []string{"*"} },
			want: []string{"--exclude leaves no service to check"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			reg := healthtest.WriteRegistration(t, dir, "reg.json",
				healthtest.Service("library.v1.LibraryService"), healthtest.Service("library.v1.ShelfService"))
			target := healthtest.NewCountingListener(t)
			c := DefaultConfig()
			c.Files = []string{reg}
			if !tc.noAddr {
				c.Addr = target.Addr()
			}
			tc.set(&c, dir, reg)
			p, err := c.Plan()
			if err == nil {
				t.Fatalf("no error; plan %+v", p)
			}
			want := tc.want
			if tc.reader != "" {
				// The one reader's message, whatever it says.
				_, rerr := load.File(dir + "/" + tc.reader)
				if rerr == nil {
					t.Fatalf("registration/load reads %s without an error", tc.reader)
				}
				want = append(want, rerr.Error())
			}
			for _, w := range want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error does not say %q:\n%s", w, err)
				}
			}
			if n := target.Accepted(); n != 0 {
				t.Errorf("%d connections were made; want none", n)
			}
		})
	}
}

// badTargets are bad values of a service's entry in a targets file, one
// each, and the message each must give, after the file name and without
// the line; S stands for the service's name.
var badTargets = []struct {
	name  string
	entry string // YAML under the service's name
	want  string
}{
	{"unknown key", "adress: 127.0.0.1:1", "services.S.adress: unknown key (known: check, address,"},
	{"unknown key in a kind block", "http: {timeuot: 1s}", "services.S.http.timeuot: unknown key (known: address, timeout, method,"},
	{"unknown key in tls", "grpc: {tls: {cafile: ca.pem}}", "services.S.grpc.tls.cafile: unknown key (known: ca, cert, key, server_name, insecure)"},
	{"key given twice", "address: 127.0.0.1:1\n    address: 127.0.0.1:2", "services.S.address: given twice (first at line"},
	{"tls of the wrong type", "grpc: {tls: [ca.pem]}", "services.S.grpc.tls: want a mapping of ca, cert, key, server_name and insecure, or true or false, got a list"},
	{"not a duration", "timeout: soon", `services.S.timeout: "soon" is not a duration such as 500ms or 2s`},
	{"duration without unit", "interval: 5", `services.S.interval: "5" is not a duration such as 500ms or 2s`},
	{"negative timeout", "timeout: -1s", "services.S.timeout: -1s: must be positive"},
	{"zero kind timeout", "grpc: {timeout: 0s}", "services.S.grpc.timeout: 0s: must be positive"},
	{"zero interval", "interval: 0s", "services.S.interval: 0s: must be positive"},
	{"zero threshold", "failure_threshold: 0", "services.S.failure_threshold: 0: must be at least 1"},
	{"threshold not a number", "success_threshold: many", `services.S.success_threshold: want an integer, got "many"`},
	{"unknown kind", "check: [grpc, udp]", `services.S.check: "udp": want grpc, http, tcp, both`},
	{"no kind", "check: []", "services.S.check: no check kind"},
	{"kind list of the wrong type", "check: {grpc: true}", "services.S.check: want a string, got a mapping"},
	{"relative Unix socket", "address: unix:run/lib.sock", `services.S.address: invalid address "unix:run/lib.sock": want unix:/ABSOLUTE/PATH`},
	{"bad gRPC address", "grpc: {address: lib}", `services.S.grpc.address: invalid address "lib": want host:port`},
	{"bad TCP address", "tcp: {address: 'lib:0'}", `services.S.tcp.address: invalid address "lib:0": port "0"`},
	{"URL with a path", "http: {address: 'https://lib:8443/readyz'}", `services.S.http.address: invalid URL "https://lib:8443/readyz": want only scheme, host and port`},
	{"bad method", "http: {method: 'GE T'}", `services.S.http.method: "GE T" is not an HTTP method`},
	{"relative path", "http: {path: readyz}", `services.S.http.path: "readyz": want a path starting with /`},
	{"bad header name", "http: {headers: {'X Probe': '1'}}", `services.S.http.headers: invalid header name "X Probe"`},
	{"bad header value", "http: {headers: {X-Probe: \"a\\nb\"}}", `services.S.http.headers.X-Probe: invalid header value "a\nb"`},
	{"not an HTTP status", "http: {expect_status: [200, 700]}", "services.S.http.expect_status: 700 is not an HTTP status"},
	{"no status", "http: {expect_status: []}", "services.S.http.expect_status: empty: give statuses"},
	{"bad regexp", "http: {body_match: '\"ok\"('}", `services.S.http.body_match: invalid regexp "\"ok\"(": error parsing regexp: missing closing ): `},
	{"bad metadata key", "grpc: {metadata: {'x token': a}}", `services.S.grpc.metadata.x token: invalid metadata key "x token"`},
	{"reserved metadata key", "grpc: {metadata: {grpc-timeout: 1S}}", `services.S.grpc.metadata.grpc-timeout: metadata key "grpc-timeout": grpc- keys are gRPC's own`},
	{"missing CA file", "http: {tls: {ca: missing-ca.pem}}", "services.S.http.tls.ca: open DIR/missing-ca.pem: no such file or directory"},
	{"CA file without certificate", "grpc: {tls: {ca: not-a-ca.pem}}", "services.S.grpc.tls.ca DIR/not-a-ca.pem: no PEM certificate in the file"},
	{"certificate without key", "grpc: {tls: {cert: client.pem}}", "services.S.grpc.tls.cert needs services.S.grpc.tls.key"},
	{"empty entry", "", "services.S: empty entry: give an address or a setting"},
}

// TestTargetsFileBadInput checks that each bad key or value of a targets
// file gives one message that names the file and the key's path, and that
// a file with all of them gives every message at once.
func TestTargetsFileBadInput(t *testing.T) {
	dir := t.TempDir()
	healthtest.WriteFile(t, dir, "not-a-ca.pem", "not a certificate")
	reg := healthtest.WriteRegistration(t, dir, "reg.json", healthtest.Service("library.v1.LibraryService"))
	plan := func(file string) []string {
		t.Helper()
		c := DefaultConfig()
		c.Files, c.Addr, c.TargetsFile = []string{reg}, "127.0.0.1:1", file
		_, err := c.Plan()
		if err == nil {
			t.Fatalf("%s: no error", file)
		}
		return strings.Split(err.Error(), "\n")
	}
	message := func(file, service, want string) string {
		want = strings.ReplaceAll(want, "services.S", "services."+service)
		return strings.ReplaceAll(want, "DIR/", dir+"/")
	}

	var all strings.Builder
	all.WriteString("services:\n")
	for i, tc := range badTargets {
		service := fmt.Sprintf("bad.v1.Service%d", i)
		fmt.Fprintf(&all, "  %s:\n    %s\n", service, tc.entry)
		t.Run(tc.name, func(t *testing.T) {
			file := healthtest.WriteFile(t, dir, fmt.Sprintf("t%d.yaml", i), fmt.Sprintf("services:\n  %s:\n    %s\n", service, tc.entry))
			lines := plan(file)
			if len(lines) != 1 {
				t.Errorf("%d messages, want 1:\n%s", len(lines), strings.Join(lines, "\n"))
			}
			want := message(file, service, tc.want)
			if !strings.HasPrefix(lines[0], file+": ") || !strings.Contains(lines[0], want) {
				t.Errorf("got\n%s\nwant %s: ...%s...", lines[0], file, want)
			}
		})
	}

	file := healthtest.WriteFile(t, dir, "all.yaml", all.String())
	lines := plan(file)
	if len(lines) != len(badTargets) {
		t.Errorf("%d messages, want %d:\n%s", len(lines), len(badTargets), strings.Join(lines, "\n"))
	}
	got := strings.Join(lines, "\n")
	for i, tc := range badTargets {
		if want := message(file, fmt.Sprintf("bad.v1.Service%d", i), tc.want); !strings.Contains(got, want) {
			t.Errorf("%s: the messages do not say %q", tc.name, want)
		}
	}
}

// TestAddressPrecedence checks the order in which addresses are found.
func TestAddressPrecedence(t *testing.T) {
	file := &targetsFile{
		Default: &targetEntry{Address: "default:1", HTTPAddress: "default-http:2"},
		Services: map[string]*targetEntry{
			"a.A": {Address: "file-a:1", GRPCAddress: "file-a-grpc:1"},
			"b.B": {HTTPAddress: "https://file-b:443"},
			"e.E": {Address: "file-e:1", GRPCAddress: "file-e-grpc:1", HTTPAddress: "file-e-http:1",
				GRPC: &grpcBlock{Address: "file-e-grpc-block:1"}, HTTP: &httpBlock{Address: "unix:/run/e.sock"}, TCP: &tcpBlock{Address: "file-e-tcp:1"}},
			"f.F": {GRPCAddress: "file-f-grpc:1", HTTP: &httpBlock{Path: "/readyz"}},
		},
	}
	withTCP := &targetsFile{Default: &targetEntry{GRPCAddress: "default-grpc:1", TCP: &tcpBlock{Address: "default-tcp:1"}}}
	flags := []flagTarget{{service: "c.C", address: "flag-c:1"}}
	for _, tc := range []struct {
		book    addressBook
		service string
		kind    Kind
		want    string
	}{
		{addressBook{flags: flags, file: file, addr: "addr:1"}, "c.C", KindHTTP, "flag-c:1"},
		{addressBook{flags: flags, file: file, addr: "addr:1"}, "a.A", KindGRPC, "file-a-grpc:1"},
		{addressBook{flags: flags, file: file, addr: "addr:1"}, "a.A", KindHTTP, "file-a:1"},
		{addressBook{flags: flags, file: file, addr: "addr:1"}, "b.B", KindHTTP, "https://file-b:443"},
		{addressBook{flags: flags, file: file, addr: "addr:1"}, "b.B", KindGRPC, "addr:1"},
		{addressBook{flags: flags, file: file, addr: "addr:1", httpAddr: "http-addr:1"}, "d.D", KindHTTP, "http-addr:1"},
		{addressBook{file: file}, "d.D", KindHTTP, "default-http:2"},
		{addressBook{file: file}, "d.D", KindGRPC, "default:1"},
		{addressBook{}, "d.D", KindGRPC, ""},
		// A kind block's address wins over the entry's.
		{addressBook{file: file, addr: "addr:1"}, "e.E", KindGRPC, "file-e-grpc-block:1"},
		{addressBook{file: file, addr: "addr:1"}, "e.E", KindHTTP, "unix:/run/e.sock"},
		{addressBook{file: file, addr: "addr:1"}, "e.E", KindTCP, "file-e-tcp:1"},
		// A kind block without an address leaves the entry's.
		{addressBook{file: file, addr: "addr:1"}, "f.F", KindHTTP, "addr:1"},
		// TCP: tcp.address, address, grpc_address; --addr before the
		// default, as for the other kinds.
		{addressBook{file: file, addr: "addr:1"}, "a.A", KindTCP, "file-a:1"},
		{addressBook{file: file, addr: "addr:1"}, "f.F", KindTCP, "file-f-grpc:1"},
		{addressBook{file: file, addr: "addr:1", httpAddr: "http-addr:1"}, "b.B", KindTCP, "addr:1"},
		{addressBook{file: withTCP}, "d.D", KindTCP, "default-tcp:1"},
		{addressBook{file: &targetsFile{Default: &targetEntry{GRPCAddress: "default-grpc:1"}}}, "d.D", KindTCP, "default-grpc:1"},
		{addressBook{file: withTCP, httpAddr: "http-addr:1"}, "d.D", KindTCP, "default-tcp:1"},
	} {
		got, _ := tc.book.lookup(tc.service, tc.kind)
		if got != tc.want {
			t.Errorf("lookup(%s, %s) = %q, want %q", tc.service, tc.kind, got, tc.want)
		}
	}
}

// TestPlanRegistered: services read already are planned as those of a
// file are, each once, and a bad health fact names the service and where
// they came from.
func TestPlanRegistered(t *testing.T) {
	svc := func(name, path string) *registration.Service {
		return &registration.Service{Name: name, Health: &registration.Health{GRPCService: name, HTTPPath: path}}
	}
	c := DefaultConfig()
	c.Registered, c.RegisteredFrom, c.Addr = []*registration.Service{svc("a.v1.A", "/a"), svc("b.v1.B", "/healthz"), svc("a.v1.A", "/a")}, "etcd", "127.0.0.1:9090"
	p, err := c.Plan()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range p.Checks {
		got = append(got, fmt.Sprintf("%s %s %s %s", ch.Service, ch.Kind, ch.GRPCService, ch.URL))
	}
	want := []string{"a.v1.A grpc a.v1.A ", "b.v1.B grpc b.v1.B "}
	if !slices.Equal(got, want) {
		t.Errorf("checks %q, want %q", got, want)
	}
	c.Registered = []*registration.Service{svc("a.v1.A", "a")}
	_, err = c.Plan()
	if err == nil || !strings.Contains(err.Error(), `etcd: service a.v1.A: health http_path "a" does not start with /`) {
		t.Errorf("got %v, want the bad http_path named", err)
	}
}
