// Command bench measures protoc-gen-registration against two floors on
// synthetic proto trees of growing size.
//
// For each N in -n it writes N services (about -per-package per proto
// package, five REST-mapped methods each, resources, comments and references
// into the previous package; see -deep-refs for a deliberately deep variant)
// to a temporary directory, compiles them
// in-process with protocompile into the CodeGeneratorRequest protoc would
// send, and then runs, with that request on stdin, interleaved -runs times:
//
//   - plugin:        the plugin under test (-plugin, parameter -param);
//   - protogen-noop: internal/floor/protogen, protogen's view and nothing else;
//   - bare-floor:    internal/floor/bare, unmarshal + protodesc.NewFiles only;
//   - any -extra name=path[:param] programs.
//
// It reports the median wall time and the maximum peak RSS of each, the
// ratios to both floors, and how the plugin's time per service evolves with
// N: a flat line means the plugin scales linearly.
//
// How it measures: every run goes through internal/bench/runner, a small
// freshly exec'd helper that starts the program with stdin, stdout and stderr
// attached directly to files, times it from just before start to just after
// wait (wall time, so process start and exit are included, as protoc would
// see them), and reads its peak RSS from wait4's rusage (ru_maxrss, KiB on
// Linux). The helper exists because a child's ru_maxrss can never be lower
// than the peak RSS of the process that forked it, and this process grows
// large while compiling the synthetic tree. Responses are parsed after every
// run; a non-zero exit, an unparsable response or a response with its error
// field set stops the benchmark with a non-zero exit.
//
// Usage (from the module root):
//
//	go run ./internal/bench -plugin "" -n 10,100,1000,5000
//
// With -plugin "" the bench builds ./cmd/protoc-gen-registration itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Row names of the two floors; ratios in the tables are relative to them.
const (
	bareName     = "bare-floor"
	protogenName = "protogen-noop"
	pluginName   = "plugin"
)

// config holds the parsed command line.
type config struct {
	plugin     string
	param      string
	ns         []int
	runs       int
	warmup     int
	perPackage int
	googleapis string
	keep       bool
	maxRSSMiB  int64
	deepRefs   bool
	extras     extraFlag
}

// extraFlag collects repeated -extra name=path[:param] values.
type extraFlag []program

func (e *extraFlag) String() string { return fmt.Sprint(len(*e), " extra programs") }

// Set parses name=path[:param]. The parameter is everything after the first
// ':' following the path, so it may itself contain '=' and ',' (emit=json,go).
func (e *extraFlag) Set(v string) error {
	name, rest, ok := strings.Cut(v, "=")
	if !ok || name == "" || rest == "" {
		return errors.New("want name=path[:param]")
	}
	path, param, _ := strings.Cut(rest, ":")
	*e = append(*e, program{Name: name, Path: path, Param: param})
	return nil
}

func main() {
	cfg, err := parseFlags()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(2)
	}
	if err := run(context.Background(), cfg); err != nil {
		fmt.Fprintf(os.Stderr, "\nbench: FAILED: %v\n", err)
		os.Exit(1)
	}
}

// parseFlags reads and validates the command line.
func parseFlags() (config, error) {
	var cfg config
	var ns string
	flag.StringVar(&cfg.plugin, "plugin", "", "plugin binary to benchmark; empty builds ./cmd/protoc-gen-registration")
	flag.StringVar(&cfg.param, "param", "", "parameter passed to the plugin in the request (empty: default JSON output)")
	flag.StringVar(&ns, "n", "10,100,1000,5000", "comma-separated numbers of services")
	flag.IntVar(&cfg.runs, "runs", 5, "timed runs per program and N")
	flag.IntVar(&cfg.warmup, "warmup", 1, "untimed warm-up runs per program and N (page cache, binary loading)")
	flag.IntVar(&cfg.perPackage, "per-package", 10, "services per proto package")
	flag.StringVar(&cfg.googleapis, "googleapis", "", "import root of the vendored google/api protos (default MODULE/third_party/googleapis)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work directory (protos, requests, binaries) and print its path")
	flag.BoolVar(&cfg.deepRefs, "deep-refs", false, "chain cross-package message fields (each Book holds the previous package's Book), so nesting depth grows with N; a stress test, not a flatness test")
	flag.Int64Var(&cfg.maxRSSMiB, "max-rss-mib", 8192, "kill and fail a program whose RSS exceeds this (MiB; 0: no limit); protects the shared machine from the OOM killer")
	flag.Var(&cfg.extras, "extra", "extra program as name=path[:param]; repeatable")
	flag.Parse()
	if flag.NArg() != 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	for f := range strings.SplitSeq(ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return cfg, fmt.Errorf("-n: bad count %q", f)
		}
		cfg.ns = append(cfg.ns, n)
	}
	if cfg.runs < 1 || cfg.warmup < 0 || cfg.perPackage < 1 || cfg.maxRSSMiB < 0 {
		return cfg, errors.New("-runs and -per-package must be >= 1, -warmup and -max-rss-mib >= 0")
	}
	return cfg, nil
}

// run is the whole benchmark: build, then one table per N, then the summary.
func run(ctx context.Context, cfg config) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if cfg.googleapis == "" {
		cfg.googleapis = filepath.Join(root, "third_party", "googleapis")
	}
	work, err := os.MkdirTemp("", "registration-bench-")
	if err != nil {
		return err
	}
	if cfg.keep {
		fmt.Printf("work directory: %s\n", work)
	} else {
		defer os.RemoveAll(work)
	}

	programs, runner, err := preparePrograms(cfg, root, filepath.Join(work, "bin"))
	if err != nil {
		return err
	}
	fmt.Printf("runs: %d timed (+%d warm-up) per program, interleaved; time = median wall, memory = max peak RSS\n", cfg.runs, cfg.warmup)
	if cfg.deepRefs {
		fmt.Println("tree: -deep-refs: message nesting depth grows with N, so time per service is expected to grow too")
	}
	for _, p := range programs {
		fmt.Printf("  %-14s %s  parameter=%q\n", p.Name, p.Path, p.Param)
	}

	var all []nResult
	for _, n := range cfg.ns {
		res, err := benchN(ctx, cfg, programs, runner, filepath.Join(work, fmt.Sprintf("n%d", n)), n)
		if err != nil {
			return fmt.Errorf("N=%d: %w", n, err)
		}
		printTable(res)
		all = append(all, res)
	}
	printFlatness(all)
	return nil
}

// preparePrograms builds the floors and the runner (and the plugin when
// -plugin is empty) and returns the programs in table order plus the runner.
func preparePrograms(cfg config, root, binDir string) ([]program, string, error) {
	pkgs := []string{"./internal/floor/bare", "./internal/floor/protogen", "./internal/bench/runner"}
	if cfg.plugin == "" {
		pkgs = append(pkgs, "./cmd/protoc-gen-registration")
	}
	fmt.Printf("building %s\n", strings.Join(pkgs, " "))
	if err := buildBinaries(root, binDir, pkgs...); err != nil {
		return nil, "", err
	}
	pluginPath := cfg.plugin
	if pluginPath == "" {
		pluginPath = filepath.Join(binDir, "protoc-gen-registration")
	}
	programs := []program{
		{Name: pluginName, Path: pluginPath, Param: cfg.param},
		{Name: protogenName, Path: filepath.Join(binDir, "protogen")},
		{Name: bareName, Path: filepath.Join(binDir, "bare")},
	}
	programs = append(programs, cfg.extras...)
	seen := map[string]bool{}
	for i := range programs {
		if seen[programs[i].Name] {
			return nil, "", fmt.Errorf("program name %q used twice; -extra names must be unique", programs[i].Name)
		}
		seen[programs[i].Name] = true
		abs, err := resolveBinary(programs[i].Path)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", programs[i].Name, err)
		}
		programs[i].Path = abs
	}
	return programs, filepath.Join(binDir, "runner"), nil
}

// resolveBinary turns a bare name into its PATH location and a relative path
// into an absolute one, and checks the file is executable.
func resolveBinary(path string) (string, error) {
	found, err := exec.LookPath(path)
	if err != nil {
		return "", err
	}
	return filepath.Abs(found)
}

// moduleRoot asks the go command where go.mod is, so the bench can be run
// from any directory of the module.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module; run from the protoc-gen-registration module")
	}
	return filepath.Dir(gomod), nil
}

// nResult is everything measured for one N.
type nResult struct {
	N            int
	Packages     int
	FilesToGen   int
	ProtoFiles   int
	RequestBytes int64 // size of the request with an empty parameter
	CompileTime  time.Duration
	Outcomes     []*outcome
}

// benchN writes and compiles the tree for n services, writes the request
// files, and measures every program on them.
func benchN(ctx context.Context, cfg config, programs []program, runner, dir string, n int) (nResult, error) {
	tree := newSynthTree(n, cfg.perPackage, cfg.deepRefs)
	protoRoot := filepath.Join(dir, "proto")
	if err := tree.write(protoRoot); err != nil {
		return nResult{}, err
	}
	start := time.Now()
	req, err := buildRequest(ctx, protoRoot, cfg.googleapis, tree.files())
	if err != nil {
		return nResult{}, err
	}
	compileTime := time.Since(start)

	params := []string{""} // always write the plain request, for its size
	for _, p := range programs {
		params = append(params, p.Param)
	}
	requests, err := requestFiles(dir, req, params)
	if err != nil {
		return nResult{}, err
	}
	st, err := os.Stat(requests[""])
	if err != nil {
		return nResult{}, err
	}
	fmt.Printf("\nN=%d: %d packages, %d files to generate, %d files in request, request %d bytes, compiled in %v; running...\n",
		n, tree.packages(), len(req.FileToGenerate), len(req.ProtoFile), st.Size(), compileTime.Round(time.Millisecond))

	outcomes, err := measure(runner, dir, programs, requests, cfg.warmup, cfg.runs, cfg.maxRSSMiB)
	if err != nil {
		return nResult{}, err
	}
	if err := benchGraph(dir, programs[0].Path, req, n, cfg.runs); err != nil {
		return nResult{}, fmt.Errorf("registration-graph: %w", err)
	}
	return nResult{
		N:            n,
		Packages:     tree.packages(),
		FilesToGen:   len(req.FileToGenerate),
		ProtoFiles:   len(req.ProtoFile),
		RequestBytes: st.Size(),
		CompileTime:  compileTime,
		Outcomes:     outcomes,
	}, nil
}
