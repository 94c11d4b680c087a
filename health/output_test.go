package health

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ovasabi/protoc-gen-registration/health/healthtest"
)

// TestOutputFormats checks the table, JSON and YAML output of one run
// with a healthy and an unreachable service.
func TestOutputFormats(t *testing.T) {
	s := healthtest.NewGRPCServer(t)
	s.Set(healthpb.HealthCheckResponse_SERVING, "a.v1.Up")
	reg := healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("a.v1.Up"), healthtest.Service("a.v1.Down"))
	config := func(output string) Config {
		c := testConfig(reg)
		c.Targets = []string{"a.v1.Up=" + s.Addr, "a.v1.Down=" + healthtest.ClosedAddr(t)}
		c.Output = output
		return c
	}

	code, table, _ := run(context.Background(), t, config(FormatTable))
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if code != ExitConnectionFailure || len(lines) != 4 {
		t.Fatalf("exit code %d, table:\n%s", code, table)
	}
	for i, want := range [][]string{
		{"SERVICE", "CHECK", "ADDRESS", "STATUS", "LATENCY", "DETAIL", "TIME", "ERROR"},
		{"a.v1.Down", "grpc", "connection_failed", "connect: connection refused"},
		{"a.v1.Up", "grpc", s.Addr, "healthy", "SERVING"},
		{"2 checked, 1 healthy, 1 failing"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i], w) {
				t.Errorf("table line %d does not have %q: %q", i, w, lines[i])
			}
		}
	}

	_, out, _ := run(context.Background(), t, config(FormatYAML))
	var rep report
	if err := yaml.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("YAML output: %v\n%s", err, out)
	}
	checkReport(t, rep)

	// Not a terminal: JSON by default.
	_, out, _ = run(context.Background(), t, config(""))
	rep = report{}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("default output is not JSON: %v\n%s", err, out)
	}
	checkReport(t, rep)
}

func checkReport(t *testing.T, rep report) {
	t.Helper()
	if rep.Summary != (summary{Total: 2, Healthy: 1, Failing: 1, ExitCode: ExitConnectionFailure}) || len(rep.Results) != 2 {
		t.Fatalf("report: %+v", rep)
	}
	up := rep.Results[1]
	if up.Service != "a.v1.Up" || up.Status != StatusHealthy || up.Check != KindGRPC || up.LatencyMS <= 0 || up.Error != "" {
		t.Errorf("healthy result: %+v", up)
	}
	if ts, err := time.Parse(time.RFC3339Nano, up.Time); err != nil || time.Since(ts) > time.Minute {
		t.Errorf("time %q: %v", up.Time, err)
	}
	if down := rep.Results[0]; down.Status != StatusConnectionFailed || down.Error == "" {
		t.Errorf("failed result: %+v", down)
	}
}

// TestFormatLatency checks latencies in a table.
func TestFormatLatency(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "-",
		1234 * time.Nanosecond:   "1µs",
		1234567:                  "1.23ms",
		1234567890:               "1.235s",
		250 * time.Millisecond:   "250ms",
		-1 * time.Millisecond:    "-",
		999999 * time.Nanosecond: "1ms",
	} {
		if got := formatLatency(d); got != want {
			t.Errorf("formatLatency(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestOutputControlCharacters checks a server whose failing answer
// carries terminal escapes and a line break: the table shows them
// escaped, never raw, and JSON and YAML stay valid and carry the text as
// the check saw it.
func TestOutputControlCharacters(t *testing.T) {
	const body = "\x1b[31mred\x1b[0m\r\nnext"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	c := testConfig(healthtest.WriteRegistration(t, t.TempDir(), "reg.json", healthtest.Service("esc.v1.Service")))
	c.Check, c.Addr = "http", srv.Listener.Addr().String()

	// The body's start, on one line, as the error quotes it.
	const quoted = "\x1b[31mred\x1b[0m next"
	c.Output = FormatTable
	_, table, _ := run(context.Background(), t, c)
	if !strings.Contains(table, `HTTP 500 Internal Server Error: \x1b[31mred\x1b[0m next`) {
		t.Errorf("table does not show the escapes:\n%s", table)
	}
	if strings.ContainsAny(table, "\x1b\r") {
		t.Errorf("table has raw control characters: %q", table)
	}

	c.Output = FormatJSON
	_, out, _ := run(context.Background(), t, c)
	var rep report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Results) != 1 {
		t.Fatalf("JSON: %v\n%s", err, out)
	}
	if !strings.HasSuffix(rep.Results[0].Error, quoted) {
		t.Errorf("JSON error %q, want it to end in %q", rep.Results[0].Error, quoted)
	}
	c.Output = FormatYAML
	_, out, _ = run(context.Background(), t, c)
	rep = report{}
	if err := yaml.Unmarshal([]byte(out), &rep); err != nil || len(rep.Results) != 1 {
		t.Fatalf("YAML: %v\n%s", err, out)
	}
	if !strings.HasSuffix(rep.Results[0].Error, quoted) {
		t.Errorf("YAML error %q, want it to end in %q", rep.Results[0].Error, quoted)
	}

	// A monitor's event line, every field of it.
	var line strings.Builder
	e := Event{Result: Result{Service: "esc.v1.\x1bService", Kind: KindHTTP, Address: "host\t:80", Status: StatusUnhealthy,
		Detail: "HTTP 500\x7f", Error: "\x9b2J" + quoted + "\u009b\u202e", Time: time.Now()}, Previous: StatusHealthy}
	if err := WriteEvent(&line, FormatTable, e); err != nil {
		t.Fatal(err)
	}
	want := `esc.v1.\x1bService  http  host\x09:80  healthy -> unhealthy  -  HTTP 500\x7f  \x9b2J\x1b[31mred\x1b[0m next\u009b\u202e` + "\n"
	if got := line.String(); !strings.HasSuffix(got, want) {
		t.Errorf("event line %q, want it to end in %q", got, want)
	}
}

// TestPrintable checks what printable escapes and what it leaves alone.
func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"plain text: ok (200)":  "plain text: ok (200)",
		"café ünïcode 東京":       "café ünïcode 東京",
		"\x1b[2J":               `\x1b[2J`,
		"a\tb\nc\rd\x00":        `a\x09b\x0ac\x0dd\x00`,
		"del\x7f":               `del\x7f`,
		"c1 \u0085 \u009b":      `c1 \u0085 \u009b`,
		"bad \xff\x9b utf-8":    `bad \xff\x9b utf-8`,
		"bidi \u202eevil\u202c": `bidi \u202eevil\u202c`,
		"lines \u2028 \u2029":   `lines \u2028 \u2029`,
		`a backslash \ stays`:   `a backslash \ stays`,
	} {
		if got := printable(in); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}
