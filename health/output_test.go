package health

import (
	"context"
	"encoding/json"
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
