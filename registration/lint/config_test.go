package lint

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseConfig reads a file with every key.
func TestParseConfig(t *testing.T) {
	data := `# lint configuration
version: v1
lint:
  use:
    - DEFAULT
    - READ_METHOD_WITHOUT_NO_SIDE_EFFECTS
  except: [DUPLICATE_ROUTE]
  ignore:
    - google/legacy/
    - ./vendor/a/v1/a.proto
  ignore_only:
    METHOD_WITHOUT_BINDING: [internal]
    GET_REQUIRED_FIELD_UNBOUND: []
`
	got, err := ParseConfig("registration.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := &Config{
		Use:        []string{SetDefault, ReadWithoutNoSideEffects},
		Except:     []string{DuplicateRoute},
		Ignore:     []string{"google/legacy", "vendor/a/v1/a.proto"},
		IgnoreOnly: map[string][]string{MethodWithoutBinding: {"internal"}, GetRequiredFieldUnbound: nil},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// An empty file, one of comments only and an empty lint section are
	// the default configuration.
	for _, data := range []string{"", "# nothing yet\n", "version: v1\nlint:\n"} {
		got, err := ParseConfig("registration.yaml", []byte(data))
		if err != nil || !cmp.Equal(got, &Config{}) {
			t.Errorf("%q: %+v, %v; want the default", data, got, err)
		}
	}
}

// TestParseConfigErrors checks that every problem of a file is reported
// at its line and column, all at once.
func TestParseConfigErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"unknown top-level key", "version: v1\nlnt:\n  use: [ALL]\n",
			`c.yaml:2:1: unknown key "lnt"; want one of version, lint`},
		{"unknown lint key", "lint:\n  use: [ALL]\n  exclude: [DUPLICATE_ROUTE]\n",
			`c.yaml:3:3: lint: unknown key "exclude"; want one of use, except, ignore, ignore_only`},
		{"unknown rules", "lint:\n  use: [DEFAULT, NOPE]\n  except: [ALL]\n  ignore_only:\n    NOPE_TOO: [a]\n",
			`c.yaml:2:18: lint.use: unknown rule "NOPE"` + "\n" +
				`c.yaml:3:12: lint.except: unknown rule "ALL"` + "\n" +
				`c.yaml:5:5: lint.ignore_only: unknown rule "NOPE_TOO"`},
		{"wrong shapes", "version: 2\nlint:\n  use: DEFAULT\n  ignore: {a: b}\n  ignore_only: [a]\n",
			`c.yaml:1:10: version: want v1; got "2"` + "\n" +
				`c.yaml:3:8: lint.use: want a list; got "DEFAULT"` + "\n" +
				`c.yaml:4:11: lint.ignore: want a list; got a mapping` + "\n" +
				`c.yaml:5:16: lint.ignore_only: want a mapping; got a list`},
		{"items that are not strings", "lint:\n  use: [[ALL]]\n  ignore: [~]\n",
			`c.yaml:2:9: lint.use: want a string; got a list` + "\n" +
				`c.yaml:3:12: lint.ignore: want a string; got null`},
		{"a key given twice", "lint:\n  use: [ALL]\n  use: [DEFAULT]\n",
			`c.yaml:3:3: lint: key "use" given twice`},
		{"paths outside the proto root", "lint:\n  ignore: [/abs/a.proto, ../up, a/../../b, \"\"]\n",
			`c.yaml:2:12: lint.ignore: path "/abs/a.proto": want a file or directory relative to the proto root` + "\n" +
				`c.yaml:2:26: lint.ignore: path "../up": want a file or directory relative to the proto root` + "\n" +
				`c.yaml:2:33: lint.ignore: path "a/../../b": want a file or directory relative to the proto root` + "\n" +
				`c.yaml:2:44: lint.ignore: path "": want a file or directory relative to the proto root`},
		{"not a mapping", "- use\n", `c.yaml:1:1: want a mapping; got a list`},
		{"a syntax error", "lint:\n\tuse: [ALL]\n", `c.yaml:2: found character that cannot start any token`},
		{"two documents", "lint: {}\n---\nlint: {}\n", `c.yaml:2:1: several YAML documents; want one`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseConfig("c.yaml", []byte(tt.data))
			if err == nil {
				t.Fatalf("no error; got %+v", c)
			}
			if err.Error() != tt.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tt.want)
			}
		})
	}
}

// TestConfigApply checks which findings a configuration keeps.
func TestConfigApply(t *testing.T) {
	findings := []Finding{
		{Rule: MethodWithoutBinding, Element: "a.v1.A.Get", File: "a/v1/a.proto"},
		{Rule: ReadWithoutNoSideEffects, Element: "a.v1.A.Get", File: "a/v1/a.proto"},
		{Rule: DuplicateRoute, Element: "b.v1.B.Get GET /v1/b", File: "b/v1/b.proto"},
		{Rule: MethodWithoutBinding, Element: "ab.v1.AB.Get", File: "ab/v1/ab.proto"},
		{Rule: GetRequiredFieldUnbound, Element: "c.v1.C.Get GET /v1/c", File: "c/v1/c.proto"},
	}
	tests := []struct {
		name   string
		config Config
		want   []Finding
	}{
		{"the default rules", Config{}, []Finding{findings[0], findings[2], findings[3], findings[4]}},
		{"DEFAULT is the default", Config{Use: []string{SetDefault}}, []Finding{findings[0], findings[2], findings[3], findings[4]}},
		{"ALL", Config{Use: []string{SetAll}}, findings},
		{"one rule", Config{Use: []string{ReadWithoutNoSideEffects}}, []Finding{findings[1]}},
		{"DEFAULT and an opt-in rule, less one", Config{Use: []string{SetDefault, ReadWithoutNoSideEffects}, Except: []string{DuplicateRoute}},
			[]Finding{findings[0], findings[1], findings[3], findings[4]}},
		// A directory covers the files below it, not a file that only
		// starts with its name.
		{"ignore a directory and a file", Config{Ignore: []string{"a", "c/v1/c.proto"}}, []Finding{findings[2], findings[3]}},
		{"ignore everything", Config{Ignore: []string{"."}}, []Finding{}},
		{"ignore one rule in a directory", Config{IgnoreOnly: map[string][]string{MethodWithoutBinding: {"a/v1"}, DuplicateRoute: {"a"}}},
			[]Finding{findings[2], findings[3], findings[4]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.config.Apply(findings)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "registration.yaml")
	if err := os.WriteFile(path, []byte("lint:\n  use: [ALL]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := ReadConfig(path)
	if err != nil || !cmp.Equal(c, &Config{Use: []string{SetAll}}) {
		t.Errorf("ReadConfig: %+v, %v", c, err)
	}
	if _, err := ReadConfig(path + ".missing"); !os.IsNotExist(err) {
		t.Errorf("ReadConfig of a missing file: %v", err)
	}
}
