package regen_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ovasabi/protoc-gen-registration/internal/regen"
	"github.com/ovasabi/protoc-gen-registration/internal/regen/regentest"
)

// benchEnv, set to "1", runs TestWatchLatency (make bench does).
const benchEnv = "REGISTRATION_BENCH"

// TestWatchLatency measures how long watch (Follow) takes from a proto change to the
// updated output, on a copy of the example API with this repository's
// buf.gen.yaml (registration, aggregate and Go output through real buf),
// and divides it by what no watcher can beat: the debounce plus one direct
// `buf generate` run. The target is a ratio under 1.2.
//
//	REGISTRATION_BENCH=1 go test ./internal/regen -run '^TestWatchLatency$' -count=1 -v
func TestWatchLatency(t *testing.T) {
	if os.Getenv(benchEnv) != "1" {
		t.Skip("a benchmark: set " + benchEnv + "=1 (make bench does)")
	}
	const (
		debounce = 300 * time.Millisecond
		rounds   = 9
		target   = 1.2
	)
	buf, err := exec.LookPath("buf")
	if err != nil {
		t.Fatalf("buf is not on PATH (make tools installs it): %v", err)
	}
	plugin := regentest.BuildPlugin(t)
	gobin, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Dir(plugin)+string(os.PathListSeparator)+filepath.Join(strings.TrimSpace(string(gobin)), "bin")+string(os.PathListSeparator)+os.Getenv("PATH"))
	dir := t.TempDir()
	copyExample(t, "../..", dir)

	// One direct generation, the floor: the median of several.
	var direct []time.Duration
	for i := range 6 {
		out := t.TempDir()
		cmd := exec.Command(buf, "generate", "--template", "buf.gen.yaml", "-o", out)
		cmd.Dir = dir
		start := time.Now()
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("buf generate: %v\n%s", err, b)
		}
		if i > 0 { // the first warms the caches
			direct = append(direct, time.Since(start))
		}
	}
	directMedian := median(direct)

	s := startFollow(t, regen.FollowConfig{Config: regen.Config{Dir: dir}, Debounce: debounce})
	proto := filepath.Join(dir, "example/library/v1/library.proto")
	output := filepath.Join(dir, "example/gen/registration/library/v1/library.registration.json")
	original, err := os.ReadFile(proto)
	if err != nil {
		t.Fatal(err)
	}
	const sentence = "LibraryService manages shelves and the books on them."
	if !strings.Contains(string(original), sentence) {
		t.Fatalf("%s lacks %q", proto, sentence)
	}
	var latencies []time.Duration
	for i := range rounds {
		marker := "Revision " + string(rune('A'+i)) + "."
		edited := strings.Replace(string(original), sentence, sentence+" "+marker, 1)
		start := time.Now()
		if err := os.WriteFile(proto, []byte(edited), 0o644); err != nil {
			t.Fatal(err)
		}
		deadline := start.Add(regentest.WaitLimit)
		for {
			data, _ := os.ReadFile(output)
			if strings.Contains(string(data), marker) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the output after %v:\n%s", marker, regentest.WaitLimit, s.state())
			}
			time.Sleep(time.Millisecond)
		}
		latencies = append(latencies, time.Since(start))
		// Let the run finish printing before the next change.
		done := "run " + strconv.Itoa(i+2) + ": updated"
		regentest.WaitUntil(t, done, func() bool { return strings.Contains(s.stdout.String(), done) }, s.state)
	}
	latency := median(latencies)
	floor := debounce + directMedian
	ratio := float64(latency) / float64(floor)
	t.Logf("watch latency, proto change to updated output: median %v of %d (min %v, max %v)",
		latency.Round(time.Millisecond), rounds, slices.Min(latencies).Round(time.Millisecond), slices.Max(latencies).Round(time.Millisecond))
	t.Logf("floor: debounce %v + one direct buf generate %v = %v", debounce, directMedian.Round(time.Millisecond), floor.Round(time.Millisecond))
	t.Logf("ratio %.3f (target < %.1f)", ratio, target)
	if ratio >= target {
		t.Errorf("latency ratio %.3f, target < %.1f", ratio, target)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// copyExample copies what buf.gen.yaml generates from: the buf files, and
// the protos and YAML files of the workspace's modules.
func copyExample(t *testing.T, from, to string) {
	t.Helper()
	for _, f := range []string{"buf.yaml", "buf.gen.yaml"} {
		data, err := os.ReadFile(filepath.Join(from, f))
		if err != nil {
			t.Fatal(err)
		}
		regentest.WriteFile(t, filepath.Join(to, f), string(data))
	}
	for _, d := range []string{"example", "proto", "third_party/googleapis"} {
		err := filepath.WalkDir(filepath.Join(from, d), func(path string, e fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if e.IsDir() && e.Name() == "gen" {
				return filepath.SkipDir
			}
			switch filepath.Ext(path) {
			case ".proto", ".yaml", ".yml":
				data, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				rel, _ := filepath.Rel(from, path)
				regentest.WriteFile(t, filepath.Join(to, rel), string(data))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
