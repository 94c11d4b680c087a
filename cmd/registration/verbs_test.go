package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolden runs every inspection verb in every format on registrations
// generated from the project's protos and compares with the golden files
// testdata/golden/VERB-CASE.FORMAT.
func TestGolden(t *testing.T) {
	example := fixture("example/registry.registration.json")
	tests := []struct {
		name   string
		args   []string
		status int
	}{
		{"inspect-library", []string{"inspect", "library.v1.LibraryService", example}, 0},
		{"inspect-orders", []string{"inspect", "Orders", fixture("dependencies/deps.registration.json")}, 0},
		{"inspect-vault", []string{"inspect", "opts.v1.Vault", fixture("options/opts/v1/opts.registration.json")}, 0},
		{"events-example", []string{"events", example, fixture("options/opts/v1/opts.registration.json")}, 0},
		{"lint-example", []string{"lint", example}, 2},
		{"lint-example-v2", []string{"lint", "--disable", "READ_METHOD_WITHOUT_NO_SIDE_EFFECTS,METHOD_WITHOUT_BINDING", fixture("example-v2/registry.registration.json")}, 2},
		{"lint-cases", []string{"lint", fixture("kinds/kinds/v1/kinds.registration.json"), fixture("conflicts/clash/v1/clash.registration.json"),
			fixture("conflicts/clash/v1/other.registration.json"), fixture("rules/shop/v1/shop.registration.json"), fixture("nofallback/basic/v1/basic.registration.json")}, 2},
		{"validate-example", []string{"validate", example, fixture("example-yaml/registry.registration.yaml"), fixture("dependencies/deps.registration.json")}, 0},
		{"compare-example", []string{"compare", fixture("example/library/v1/library.registration.json"), fixture("example-v2/library/v1/library.registration.json")}, 2},
		{"compare-example-aggregate", []string{"compare", example, fixture("example-v2/registry.registration.json")}, 2},
		{"compare-none", []string{"compare", example, fixture("example-yaml/registry.registration.yaml")}, 0},
		{"compare-except", []string{"compare", "--except", "FIELD_SAME_TYPE,METHOD_REMOVED,BINDING_PATH_CHANGED,BINDING_BODY_CHANGED,BINDING_RESPONSE_BODY_CHANGED,METHOD_STREAMING_CHANGED,METHOD_IDEMPOTENCY_CHANGED,METHOD_REQUIRED_FIELD_ADDED,CAPABILITY_REMOVED",
			fixture("example/library/v1/library.registration.json"), fixture("example-v2/library/v1/library.registration.json")}, 0},
		{"compare-rules", []string{"compare", "--list-rules"}, 0},
		{"lint-rules", []string{"lint", "--list-rules"}, 0},
		{"lint-disabled", []string{"lint", "--config", "testdata/lint/all.yaml", "--disable", "READ_METHOD_WITHOUT_NO_SIDE_EFFECTS=library.v1.*", "--disable", "METHOD_WITHOUT_BINDING", example}, 2},
	}
	for _, tt := range tests {
		for _, format := range []string{"table", "json", "yaml"} {
			t.Run(tt.name+"."+format, func(t *testing.T) {
				args := append([]string{tt.args[0], "--format", format}, tt.args[1:]...)
				status, stdout, stderr := runCommand(t, args...)
				if status != tt.status {
					t.Errorf("status %d, want %d; stderr: %s", status, tt.status, stderr)
				}
				if stderr != "" {
					t.Errorf("stderr: %s", stderr)
				}
				checkGolden(t, tt.name+"."+format, stdout)
			})
		}
	}
}

// TestBadInput checks that every verb reports unreadable, malformed and
// wrong-version files with the file and where in it, and exits 1.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	example, err := os.ReadFile(fixture("example/registry.registration.json"))
	if err != nil {
		t.Fatal(err)
	}
	files := []struct {
		path, want string
	}{
		{"testdata/missing.json", "open testdata/missing.json: no such file or directory"},
		{write("truncated.json", string(example[:200])), "truncated.json:10:33: unexpected end of file"},
		{write("syntax.json", "{\n  \"format\": \"registration.v1\",\n  \"files\": [,]\n}\n"), "syntax.json:3:13: invalid character ',' looking for beginning of value"},
		{"testdata/wrong_version.json", `testdata/wrong_version.json:1:12: at /format: value must be one of "registration.v2", "registration.v1"; got "registration.v3"`},
		{write("wrong_type.json", strings.Replace(string(example), `"streaming": "unary"`, `"streaming": 1`, 1)), `wrong_type.json:29:24: at /services/0/methods/0/streaming: value must be one of "unary", "client", "server", "bidi"; got 1`},
		{write("wrong_type.yaml", "format: registration.v1\nfiles: []\nservices:\n  - name: a.B\n    package: a\n    file: a.proto\n    methods: {}\n"),
			"wrong_type.yaml:7:14: at /services/0/methods: value must be an array; got an object"},
		{write("empty.json", ""), "empty.json: empty file"},
	}
	verbs := [][]string{{"services"}, {"inspect", "x.v1.X"}, {"events"}, {"lint"}, {"compare", fixture("example/registry.registration.json")}}
	for _, f := range files {
		for _, verb := range verbs {
			args := append(append([]string{verb[0], "--format", "json"}, verb[1:]...), f.path)
			status, stdout, stderr := runCommand(t, args...)
			want := "registration " + verb[0] + ": " + f.want + "\n"
			if status != 1 || stdout != "" || !strings.HasSuffix(stderr, f.want+"\n") || !strings.HasPrefix(stderr, "registration "+verb[0]+": ") {
				t.Errorf("%v: status %d, stdout %q, stderr %q; want status 1 and %q", args, status, stdout, stderr, want)
			}
		}
	}

	usage := []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "--format", "json"}, "registration inspect: name a service and at least one registration file\nRun 'registration inspect --help' for usage.\n"},
		{[]string{"inspect", "--format", "json", "Nope", fixture("example/registry.registration.json")}, "registration inspect: service \"Nope\" is not in the registrations (run \"registration services\" to list them)\n"},
		{[]string{"inspect", "--format", "json", "v1.UserService", fixture("example/registry.registration.json"), fixture("dependencies/deps.registration.json")}, ""},
		{[]string{"compare", "--format", "json", fixture("example/registry.registration.json")}, "registration compare: name two registrations, OLD and NEW (files or directories), or use --against REV NEW...\nRun 'registration compare --help' for usage.\n"},
		{[]string{"compare", "--format", "json", "--except", "NOPE", "a", "b"}, "registration compare: flag --except: unknown rule \"NOPE\" (see --list-rules)\n"},
		{[]string{"lint", "--format", "json", "--disable", "NOPE=x", "a"}, "registration lint: flag --disable: unknown rule \"NOPE\" (see --list-rules)\n"},
		{[]string{"validate", "--format", "json"}, "registration validate: name at least one registration file\nRun 'registration validate --help' for usage.\n"},
		{[]string{"validate", "--format", "json", "--timeout", "0s", "a"}, "registration validate: flag --timeout=0s: want a positive duration\n"},
		{[]string{"validate", "--format", "json", "--tls-ca", "ca.pem", "a"}, "registration validate: flags --tls-ca and --tls-server-name need --tls\n"},
		{[]string{"validate", "--format", "json", "-", "a", "-"}, "registration validate: standard input (\"-\") named twice\n"},
		{[]string{"validate", "--format", "json", "testdata/missing.json"}, "registration validate: open testdata/missing.json: no such file or directory\n"},
	}
	for _, u := range usage {
		status, stdout, stderr := runCommand(t, u.args...)
		stderr = strings.ReplaceAll(stderr, dir, "$DIR")
		if u.want == "" { // a unique short name works
			if status != 0 {
				t.Errorf("%v: status %d, stderr %q", u.args, status, stderr)
			}
			continue
		}
		if status != 1 || stdout != "" || stderr != u.want {
			t.Errorf("%v: status %d, stdout %q, stderr\n got: %q\nwant: %q", u.args, status, stdout, stderr, u.want)
		}
	}
}

// TestValidateInvalid checks that every problem registration/load finds in
// a file is listed with its line, column and JSON pointer, a file that
// does not parse and standard input included, and fails with status 2.
func TestValidateInvalid(t *testing.T) {
	data, err := os.ReadFile(fixture("example/registry.registration.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `"streaming": "unary"`, `"streaming": "sideways"`, 1)
	text = strings.Replace(text, `"kind": "resource"`, `"kind": "friendship"`, 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "invalid.json")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.json")
	if err := os.WriteFile(truncated, []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Standard input holds a registration with a service listed twice,
	// which the schema alone lets through.
	stdin, err := os.CreateTemp(dir, "stdin")
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	if _, err := stdin.WriteString("format: registration.v1\nfiles: []\nservices:\n  - {name: a.B, package: a, file: a.proto, methods: []}\n  - {name: a.B, package: a, file: a.proto, methods: []}\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := stdin.Seek(0, 0); err != nil {
		t.Fatal(err)
	}
	saved := os.Stdin
	os.Stdin = stdin
	defer func() { os.Stdin = saved }()

	status, stdout, stderr := runCommand(t, "validate", "--format", "table", fixture("example/registry.registration.json"), path, "testdata/wrong_version.json", truncated, "-")
	if status != 2 {
		t.Errorf("status %d, want 2; stderr %s", status, stderr)
	}
	want := "$GEN/example/registry.registration.json: valid\n" +
		path + ": invalid\n" +
		"  29:24: at /services/0/methods/0/streaming: value must be one of \"unary\", \"client\", \"server\", \"bidi\"; got \"sideways\"\n" +
		"  749:19: at /services/2/dependencies/2/kind: value must be one of \"resource\", \"schema\", \"declared\"; got \"friendship\"\n" +
		"testdata/wrong_version.json: invalid\n" +
		"  1:12: at /format: value must be one of \"registration.v2\", \"registration.v1\"; got \"registration.v3\"\n" +
		truncated + ": invalid\n" +
		"  1:2: unexpected end of file\n" +
		"<stdin>: invalid\n"
	if !strings.HasPrefix(stdout, want) || !strings.Contains(stdout[len(want):], "at /services/1") {
		t.Errorf("stdout\n got: %q\nwant: %q and the duplicate service at /services/1", stdout, want)
	}
}

// TestCompareAgainst reads OLD from a git revision in a real repository.
func TestCompareAgainst(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed for compare --against:", err)
	}
	repo := t.TempDir()
	git := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	copyFile := func(src string) {
		t.Helper()
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(repo, "gen"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, "gen", "library.registration.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	copyFile(fixture("example/library/v1/library.registration.json"))
	git("add", ".")
	git("commit", "-q", "-m", "v1")
	git("tag", "v1")
	copyFile(fixture("example-v2/library/v1/library.registration.json"))

	file := filepath.Join(repo, "gen", "library.registration.json")
	status, got, stderr := runCommand(t, "compare", "--format", "table", "--against", "v1", file)
	if status != 2 {
		t.Errorf("status %d, want 2; stderr %s", status, stderr)
	}
	_, want, _ := runCommand(t, "compare", "--format", "table", fixture("example/library/v1/library.registration.json"), fixture("example-v2/library/v1/library.registration.json"))
	if got != want {
		t.Errorf("compare --against differs from compare of the two files:\n got: %s\nwant: %s", got, want)
	}
	// Against the working tree's own commit after committing v2: nothing.
	git("commit", "-q", "-am", "v2")
	if status, out, stderr := runCommand(t, "compare", "--format", "table", "--against", "HEAD", file); status != 0 || out != "0 changes, 0 breaking\n" {
		t.Errorf("against HEAD: status %d, stdout %q, stderr %q", status, out, stderr)
	}
	status, out, stderr := runCommand(t, "compare", "--format", "table", "--against", "nosuchrev", file)
	if status != 1 || out != "" || !strings.HasPrefix(stderr, "registration compare: git show nosuchrev:"+file+": fatal: ") {
		t.Errorf("bad revision: status %d, stdout %q, stderr %q", status, out, stderr)
	}
}

// TestCommandLine checks the shared grammar on the verbs: flags after the
// files, -o, and the single-dash long flags of the standard flag package
// give the same output as flags first; "--" ends the flags.
func TestCommandLine(t *testing.T) {
	example := fixture("example/registry.registration.json")
	_, want, _ := runCommand(t, "services", "--format", "json", example)
	for _, args := range [][]string{
		{"services", example, "--format", "json"},
		{"services", example, "-o", "json"},
		{"services", "-o=json", example},
		{"services", "-format", "json", example},
		{"services", "-format=json", example},
		{"services", "--format", "json", "--", example},
	} {
		if status, stdout, stderr := runCommand(t, args...); status != 0 || stdout != want {
			t.Errorf("%q: status %d, stderr %q, stdout\n%s", args, status, stderr, stdout)
		}
	}
	_, want, _ = runCommand(t, "lint", "--format", "table", "--disable", "GET_REQUIRED_FIELD_UNBOUND", "--disable", "DUPLICATE_ROUTE", example)
	if status, stdout, stderr := runCommand(t, "lint", example, "-disable", "GET_REQUIRED_FIELD_UNBOUND,DUPLICATE_ROUTE", "-format=table"); status != 2 || stdout != want {
		t.Errorf("lint with single-dash flags: status %d, stderr %q, stdout\n%s", status, stderr, stdout)
	}
	// After "--", a flag's spelling is a file's name.
	status, _, stderr := runCommand(t, "services", "--format", "json", "--", "-o")
	if want := "registration services: open -o: no such file or directory\n"; status != 1 || stderr != want {
		t.Errorf("services -- -o: status %d, stderr %q, want %q", status, stderr, want)
	}
	status, _, stderr = runCommand(t, "services", "--colour", example)
	if want := "registration services: unknown flag: --colour\nRun 'registration services --help' for usage.\n"; status != 1 || stderr != want {
		t.Errorf("an unknown flag: status %d, stderr %q, want %q", status, stderr, want)
	}
}
