package health

import (
	"strings"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
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
			name: "no registration file",
			set:  func(c *Config, dir, reg string) { c.Files = nil },
			want: []string{"no registration file given"},
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
			want: []string{"t.yaml: yaml: unmarshal errors", "field adress not found"},
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
			set:  func(c *Config, dir, reg string) { c.Addr = ":9090" },
			want: []string{`--addr: invalid address ":9090": no host`},
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
				c.Check, c.Output, c.Timeout, c.ConnectTimeout = "tcp", "xml", time.Second, 2*time.Second
				c.Concurrency, c.HTTPPath, c.Headers = -1, "healthz", []string{"X-A"}
				c.Given = map[string]bool{"connect-timeout": true}
			},
			want: []string{
				`--check "tcp": want grpc, http or both`,
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

// TestAddressPrecedence checks the order in which addresses are found.
func TestAddressPrecedence(t *testing.T) {
	file := &targetsFile{
		Default: &targetEntry{Address: "default:1", HTTPAddress: "default-http:2"},
		Services: map[string]*targetEntry{
			"a.A": {Address: "file-a:1", GRPCAddress: "file-a-grpc:1"},
			"b.B": {HTTPAddress: "https://file-b:443"},
		},
	}
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
	} {
		got, _ := tc.book.lookup(tc.service, tc.kind)
		if got != tc.want {
			t.Errorf("lookup(%s, %s) = %q, want %q", tc.service, tc.kind, got, tc.want)
		}
	}
}
