package main

import (
	"strings"
	"testing"
)

// TestBadInput checks that every kind of bad input is reported with the
// name of what is wrong, exits 1 and starts no check: the only address
// given is a listener that counts connections.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		// args returns the arguments; dir holds a valid registration
		// reg.json with library.v1.LibraryService and ShelfService.
		args func(dir, reg string) []string
		want []string // substrings of stderr
		// noAddr leaves --addr out.
		noAddr bool
	}{
		{
			name: "no registration file",
			args: func(dir, reg string) []string { return nil },
			want: []string{"no registration file given"},
		},
		{
			name: "missing registration file",
			args: func(dir, reg string) []string { return []string{reg, dir + "/missing.json"} },
			want: []string{"registration file: open " + "", "missing.json: no such file or directory"},
		},
		{
			name: "malformed registration file",
			args: func(dir, reg string) []string {
				return []string{writeFile(t, dir, "bad.json", `{"format": "registration.v1", "services": [`)}
			},
			want: []string{"bad.json: unexpected EOF"},
		},
		{
			name: "unknown field in registration file",
			args: func(dir, reg string) []string {
				return []string{writeFile(t, dir, "bad.yaml", "format: registration.v1\nservicez: []\n")}
			},
			want: []string{"bad.yaml: yaml: unmarshal errors", "field servicez not found"},
		},
		{
			name: "wrong format",
			args: func(dir, reg string) []string {
				return []string{writeFile(t, dir, "old.json", `{"format": "registration.v0", "files": [], "services": []}`)}
			},
			want: []string{`old.json: format is "registration.v0", want "registration.v1"`},
		},
		{
			name: "missing targets file",
			args: func(dir, reg string) []string { return []string{"--targets", dir + "/nope.yaml", reg} },
			want: []string{"targets file: open ", "nope.yaml: no such file or directory"},
		},
		{
			name: "malformed targets file",
			args: func(dir, reg string) []string {
				return []string{"--targets", writeFile(t, dir, "t.yaml", "services: [\n"), reg}
			},
			want: []string{"t.yaml: yaml:"},
		},
		{
			name: "unknown key in targets file",
			args: func(dir, reg string) []string {
				return []string{"--targets", writeFile(t, dir, "t.yaml", "default:\n  adress: 127.0.0.1:1\n"), reg}
			},
			want: []string{"t.yaml: yaml: unmarshal errors", "field adress not found"},
		},
		{
			name: "targets file entry for unknown service",
			args: func(dir, reg string) []string {
				return []string{"--targets", writeFile(t, dir, "t.yaml", "services:\n  library.v1.Nope:\n    address: 127.0.0.1:1\n"), reg}
			},
			want: []string{"t.yaml: services: library.v1.Nope is in no registration file"},
		},
		{
			name: "invalid address in targets file",
			args: func(dir, reg string) []string {
				return []string{"--targets", writeFile(t, dir, "t.yaml",
					"services:\n  library.v1.ShelfService:\n    grpc_address: shelf\n    http_address: https://shelf:8443/healthz\n"), reg}
			},
			want: []string{
				`t.yaml: services.library.v1.ShelfService.grpc_address: invalid address "shelf": want host:port`,
				`t.yaml: services.library.v1.ShelfService.http_address: invalid URL "https://shelf:8443/healthz"`,
			},
		},
		{
			name: "target for unknown service",
			args: func(dir, reg string) []string { return []string{"--target", "library.v1.Nope=127.0.0.1:1", reg} },
			want: []string{`--target "library.v1.Nope=127.0.0.1:1": service library.v1.Nope is in no registration file`},
		},
		{
			name: "invalid target address",
			args: func(dir, reg string) []string {
				return []string{"--target", "library.v1.LibraryService=127.0.0.1:99999", "--target", "library.v1.ShelfService", reg}
			},
			want: []string{
				`--target "library.v1.LibraryService=127.0.0.1:99999": invalid address "127.0.0.1:99999": port "99999" is not a number from 1 to 65535`,
				`--target "library.v1.ShelfService": want SERVICE=ADDRESS`,
			},
		},
		{
			name: "invalid default address",
			args: func(dir, reg string) []string { return []string{"--addr", ":9090", reg} },
			want: []string{`--addr: invalid address ":9090": no host`},
		},
		{
			name: "service without address",
			args: func(dir, reg string) []string {
				return []string{"--target", "library.v1.LibraryService=127.0.0.1:1", reg}
			},
			want:   []string{"service library.v1.ShelfService: no grpc address: give --target library.v1.ShelfService=ADDRESS"},
			noAddr: true,
		},
		{
			name: "missing CA file",
			args: func(dir, reg string) []string { return []string{"--tls", "--tls-ca-cert", dir + "/ca.pem", reg} },
			want: []string{"--tls-ca-cert: open ", "ca.pem: no such file or directory"},
		},
		{
			name: "CA file without certificate",
			args: func(dir, reg string) []string {
				return []string{"--tls", "--tls-ca-cert", writeFile(t, dir, "ca.pem", "not a certificate"), reg}
			},
			want: []string{"ca.pem: no PEM certificate in the file"},
		},
		{
			name: "bad client key pair",
			args: func(dir, reg string) []string {
				return []string{"--tls", "--tls-client-cert", writeFile(t, dir, "c.pem", "x"), "--tls-client-key", dir + "/k.pem", reg}
			},
			want: []string{"--tls-client-cert " + "", "c.pem, --tls-client-key "},
		},
		{
			name: "client certificate without key",
			args: func(dir, reg string) []string { return []string{"--tls", "--tls-client-cert", dir + "/c.pem", reg} },
			want: []string{"--tls-client-cert needs --tls-client-key"},
		},
		{
			name: "TLS flag without --tls",
			args: func(dir, reg string) []string { return []string{"--tls-no-verify", reg} },
			want: []string{"--tls-no-verify needs --tls"},
		},
		{
			name: "bad flag values",
			args: func(dir, reg string) []string {
				return []string{"--check", "tcp", "-o", "xml", "--timeout", "1s", "--connect-timeout", "2s",
					"--concurrency", "0", "--http-path", "healthz", "--header", "X-A", reg}
			},
			want: []string{
				`--check "tcp": want grpc, http or both`,
				`--output "xml": want table, json or yaml`,
				"--connect-timeout 2s: must be positive and at most --timeout (1s)",
				"--concurrency 0: must be at least 1",
				`--http-path "healthz": must start with /`,
				`--header "X-A": want NAME: VALUE`,
			},
		},
		{
			name: "monitor flags without --monitor",
			args: func(dir, reg string) []string { return []string{"--interval", "1s", "--listen", ":0", reg} },
			want: []string{"--interval needs --monitor", "--listen needs --monitor"},
		},
		{
			name: "bad monitor values",
			args: func(dir, reg string) []string {
				return []string{"--monitor", "--interval", "0s", "--jitter", "2", "--failure-threshold", "0", "--listen", "nope", reg}
			},
			want: []string{"--interval 0s: must be positive", "--jitter 2: must be from 0 to 1",
				"--failure-threshold 0: must be at least 1", `--listen "nope"`},
		},
		{
			name: "server check without gRPC",
			args: func(dir, reg string) []string { return []string{"--check", "http", "--server-check", reg} },
			want: []string{"--server-check needs gRPC checks"},
		},
		{
			name: "glob that matches nothing",
			args: func(dir, reg string) []string { return []string{"--service", "shelf.*", reg} },
			want: []string{`--service "shelf.*" matches no service in the registration files`},
		},
		{
			name: "malformed glob",
			args: func(dir, reg string) []string { return []string{"--service", "library.[", reg} },
			want: []string{`glob "library.[": syntax error in pattern`},
		},
		{
			name: "everything excluded",
			args: func(dir, reg string) []string { return []string{"--exclude", "*", reg} },
			want: []string{"--exclude leaves no service to check"},
		},
		{
			name: "unknown flag",
			args: func(dir, reg string) []string { return []string{"--adress", "x", reg} },
			want: []string{"flag provided but not defined: -adress", "Run 'registration-health --help' for usage."},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			reg := writeRegistration(t, dir, "reg.json", testService("library.v1.LibraryService"), testService("library.v1.ShelfService"))
			target := startCounting(t)
			args := tc.args(dir, reg)
			if !tc.noAddr {
				args = append([]string{"--addr", target.addr()}, args...)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != exitInvalidArguments {
				t.Errorf("exit code %d, want %d; stderr:\n%s", code, exitInvalidArguments, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if !strings.HasPrefix(line, "registration-health: ") && !strings.HasPrefix(line, "Run ") {
					t.Errorf("stderr line without the program name: %q", line)
				}
			}
			if stdout != "" {
				t.Errorf("stdout is not empty:\n%s", stdout)
			}
			if n := target.accepted.Load(); n != 0 {
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

// TestExampleTargetsFile checks that testdata/targets.yaml, the documented
// example, is a valid targets file.
func TestExampleTargetsFile(t *testing.T) {
	dir := t.TempDir()
	reg := writeRegistration(t, dir, "reg.yaml", testService("library.v1.LibraryService"),
		testService("library.v1.ShelfService"), testService("library.v1.AuthorService"), testService("library.v1.OtherService"))
	cfg, err := parseArgs([]string{"--targets", "testdata/targets.yaml", "--check", "both", reg})
	if err != nil {
		t.Fatal(err)
	}
	p, err := cfg.resolve()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range p.checks {
		addr := c.address
		if c.kind == KindHTTP {
			addr = c.url
		}
		got[c.service+" "+string(c.kind)] = addr
	}
	want := map[string]string{
		"library.v1.LibraryService grpc": "library.internal:9090",
		"library.v1.LibraryService http": "http://library.internal:9090/healthz",
		"library.v1.ShelfService grpc":   "shelf.internal:9090",
		"library.v1.ShelfService http":   "https://shelf.internal:8443/healthz",
		"library.v1.AuthorService grpc":  "127.0.0.1:9090",
		"library.v1.AuthorService http":  "http://author.internal:8081/healthz",
		"library.v1.OtherService grpc":   "127.0.0.1:9090",
		"library.v1.OtherService http":   "http://127.0.0.1:8080/healthz",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
}

// TestFlagsAfterFiles checks that flags may follow the registration files.
func TestFlagsAfterFiles(t *testing.T) {
	cfg, err := parseArgs([]string{"a.json", "--addr", "h:1", "b.yaml", "--", "--c.json"})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Files, " "); got != "a.json b.yaml --c.json" || cfg.Addr != "h:1" {
		t.Errorf("files %q, addr %q", got, cfg.Addr)
	}
}
