package plugin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/internal/excerpt"
)

func TestReadConfigFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	regular := write("rules.yaml", "rules: []\n")
	link := filepath.Join(dir, "link.yaml")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	exact := write("exact.yaml", "")
	if err := os.Truncate(exact, maxConfigFileSize); err != nil {
		t.Fatal(err)
	}
	large := write("large.yaml", "")
	if err := os.Truncate(large, maxConfigFileSize+1); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.yaml")
	haveFIFO := makeFIFO(fifo) == nil
	long := filepath.Join(dir, strings.Repeat("x", 100))

	t.Run("regular", func(t *testing.T) {
		data, err := readConfigFile("capability_rules", regular)
		if err != nil || string(data) != "rules: []\n" {
			t.Errorf("got %q, %v; want the file", data, err)
		}
	})
	t.Run("symlink", func(t *testing.T) {
		// A link to a regular file is read, as every tool reads it.
		data, err := readConfigFile("capability_rules", link)
		if err != nil || string(data) != "rules: []\n" {
			t.Errorf("got %q, %v; want the file it links to", data, err)
		}
	})
	t.Run("at_the_cap", func(t *testing.T) {
		data, err := readConfigFile("capability_rules", exact)
		if err != nil || len(data) != maxConfigFileSize {
			t.Errorf("got %d bytes, %v; want %d bytes", len(data), err, maxConfigFileSize)
		}
	})

	errorCases := []struct {
		name, path, want string
		skip             bool
	}{
		{name: "missing", path: filepath.Join(dir, "nope.yaml"), want: "parameter capability_rules=" + dir + "/nope.yaml: no such file or directory"},
		{name: "directory", path: dir, want: "parameter capability_rules=" + dir + ": not a regular file but a directory"},
		{name: "too_large", path: large, want: "parameter capability_rules=" + large + ": 16777217 bytes, more than the 16 MiB a configuration file may have"},
		{name: "fifo", path: fifo, skip: !haveFIFO, want: "parameter capability_rules=" + fifo + ": not a regular file but a named pipe"},
		{name: "dev_zero", path: "/dev/zero", skip: !exists("/dev/zero"), want: "parameter capability_rules=/dev/zero: not a regular file but a character device"},
		// A long path is quoted as an excerpt.
		{name: "long_path", path: long, want: "parameter capability_rules=" + excerpt.Plain(long) + ": no such file or directory"},
	}
	for _, tt := range errorCases {
		t.Run(tt.name, func(t *testing.T) {
			if tt.skip {
				t.Skip("not on this system")
			}
			data, err := readConfigFile("capability_rules", tt.path)
			if err == nil || err.Error() != tt.want || data != nil {
				t.Errorf("got %d bytes, error %v\nwant error %s", len(data), err, tt.want)
			}
		})
	}
}

// TestReadRegularFIFO checks the second look, at what was opened: a FIFO
// that replaced the file after it was looked at is refused at once, not
// waited on until a writer comes.
func TestReadRegularFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo.yaml")
	if err := makeFIFO(fifo); err != nil {
		t.Skipf("no FIFO: %v", err)
	}
	done := make(chan string, 1)
	go func() {
		_, msg := readRegular(fifo)
		done <- msg
	}()
	select {
	case msg := <-done:
		if want := "not a regular file but a named pipe"; msg != want {
			t.Errorf("got %q, want %q", msg, want)
		}
	case <-time.After(10 * time.Second):
		// Unblock the reader so that the test ends.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		t.Fatal("opening a FIFO blocked")
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestCheckOutputName(t *testing.T) {
	valid := []string{
		"a.registration.json",
		"library/v1/library.registration.yaml",
		"example.com/y/x.registration.go",
		"..x/a.json", // a name that starts with dots is not a parent
		"a/..b/c.json",
		"ab:c.json", // a colon after more than one letter is no drive
	}
	for _, name := range valid {
		if err := checkOutputName(name, "x.proto"); err != nil {
			t.Errorf("checkOutputName(%q): %v", name, err)
		}
	}
	invalid := []struct{ name, source, want string }{
		{"../x.registration.json", "../x.proto", `output file "../x.registration.json" (from ../x.proto) leaves the output directory`},
		{"..", "", `output file ".." leaves the output directory`},
		{"a/../../x.json", "x.proto", `output file "a/../../x.json" (from x.proto) leaves the output directory`},
		{"/etc/x.json", "/etc/x.proto", `output file "/etc/x.json" (from /etc/x.proto) is absolute; want a path relative to the output directory`},
		{"C:/x.json", "x.proto", `output file "C:/x.json" (from x.proto) is absolute; want a path relative to the output directory`},
		{`..\x.json`, "x.proto", `output file "..\\x.json" (from x.proto) contains a backslash, a path separator on Windows; want "/" between directories`},
		{`a\b.json`, "x.proto", `output file "a\\b.json" (from x.proto) contains a backslash, a path separator on Windows; want "/" between directories`},
		{"", "x.proto", `output file "" (from x.proto) is empty; want a file name`},
		{".", "x.proto", `output file "." (from x.proto) names a directory, not a file`},
		{"a/", "x.proto", `output file "a/" (from x.proto) names a directory, not a file`},
		{"./a.json", "x.proto", `output file "./a.json" (from x.proto) is not a clean path; want "a.json"`},
		{"a//b.json", "x.proto", `output file "a//b.json" (from x.proto) is not a clean path; want "a/b.json"`},
		{"a/../b.json", "x.proto", `output file "a/../b.json" (from x.proto) is not a clean path; want "b.json"`},
		{"../" + strings.Repeat("y", 100), "", `output file "../yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy…" (103 bytes) leaves the output directory`},
	}
	for _, tt := range invalid {
		err := checkOutputName(tt.name, tt.source)
		if err == nil || err.Error() != tt.want {
			t.Errorf("checkOutputName(%q, %q):\n got: %v\nwant: %s", tt.name, tt.source, err, tt.want)
		}
	}
}

// TestExcerptInMessages checks that YAML values of any size are quoted as
// excerpts in the messages of the rule and service configuration readers.
func TestExcerptInMessages(t *testing.T) {
	long := strings.Repeat("x", 100)
	tests := []struct {
		name  string
		parse func(name string, data []byte) error
		data  string
		want  string
	}{
		{"regexp", parseRules, "rules:\n  - capability: c\n    regexp: '(" + long + "'\n",
			"f.yaml:3:13: rules[0].regexp: invalid regular expression \"(xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\" (101 bytes): error parsing regexp: missing closing ): `(xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx… (101 bytes)`"},
		{"kind", parseRules, "rules:\n  - capability: c\n    methods: ['*']\n    kinds: [" + long + "]\n",
			`f.yaml:4:13: rules[0].kinds[0]: unknown method kind "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (100 bytes); known kinds: get, list, create, update, delete, batch_get, batch_create, batch_update, batch_delete, search, watch, import, export, custom`},
		{"glob", parseRules, "rules:\n  - capability: c\n    methods: ['[" + long + "']\n",
			`f.yaml:3:15: rules[0].methods[0]: invalid pattern "[xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (101 bytes): syntax error in pattern`},
		{"scalar", parseRules, "rules: " + long + "\n",
			`f.yaml:1:8: rules: want a list of rules, got "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (100 bytes)`},
		{"field", parseConfig, "http:\n  rules:\n    - selector: a.v1.S.Get\n      " + long + ": /v1\n",
			`f.yaml:4:7: http.rules[0]: unknown field "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (100 bytes)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse("f.yaml", []byte(tt.data))
			if err == nil || err.Error() != tt.want {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func parseRules(name string, data []byte) error {
	_, err := parseCapabilityRules(name, data)
	return err
}

func parseConfig(name string, data []byte) error {
	_, err := parseAPIConfig(name, data)
	return err
}
