// Command bench measures protoc-gen-registration against two floors on
// synthetic proto trees of growing size and on a real one.
//
// # Rows
//
// For each N in -n it writes N services of the -shape below (-per-package
// services per proto package, default 10) to a temporary directory and
// compiles them in-process with protocompile into the CodeGeneratorRequest
// protoc would send. With -corpus it adds one real-world row: the
// googleapis tree (a directory, or a .tgz that is unpacked into the work
// directory), with every .proto file under google/ and grafeas/ to
// generate, compiled once per run the same way with the tree as the only
// import path (12 to 60 s for the 5,206 files of googleapis-part.tgz,
// depending on the machine's load). Files of the tree without a go_package
// get one through M parameters, given to every program alike, because
// protogen refuses the request otherwise. Without -n, -corpus runs the
// corpus row alone.
//
// On every row it runs, with the request on stdin, interleaved -runs times
// after -warmup untimed runs:
//
//   - plugin:        the plugin under test (-plugin, parameter -param);
//   - protogen-noop: internal/floor/protogen, protogen's view and nothing else;
//   - bare-floor:    internal/floor/bare, unmarshal + protodesc.NewFiles only;
//   - any -extra name=path[:param] programs.
//
// Then it times registration-graph on the plugin's aggregate=all output.
//
// # Shapes
//
// Every synthetic service file has a resource (Book) with a
// google.api.resource type and pattern, the five standard methods Get,
// List, Create, Update and Delete mapped to REST (a third of them with
// additional_bindings, both body styles for Create), their request and
// response messages, resource_reference fields and leading comments. Past
// the first package or API, each file imports one file of an earlier
// package and refers to it, and the shape decides how:
//
//   - flat (default): service k's messages hold a field of the flat
//     BookRef message of service k-perPackage, in the previous package, and
//     refer to its resource type. Nesting depth is constant, so time per
//     service should stay flat as N grows.
//   - chained: the same, but the field is the previous package's Book,
//     which holds the Book of the package before it, and so on: messages
//     embed earlier packages' messages in a chain as long as the number of
//     packages (N/perPackage). This stresses anything that follows message
//     fields recursively (query parameters, schema dependencies); time per
//     service grows with N by construction.
//   - versions: APIs that exist in two or three versions, like published
//     APIs: packages synth.pP.v1, synth.pP.v1beta1 and (every other API)
//     synth.pP.v2alpha, each with the same services Service0001... and the
//     same resource types (synth-pP.example.com/Book0001, same patterns), and
//     every service with option (google.api.default_host) =
//     "synth-pP.example.com". The versions' paths start with their version
//     (/v1/..., /v1beta1/...), so no two routes conflict on a host. Each
//     service refers to the resource type of the same slot of the previous
//     API, which that API declares once per version, and holds the BookRef
//     of its v1. N counts services over all versions.
//
// # Figures
//
// One table per row, one line per program:
//
//   - median, min, cpu: median and fastest wall time over the timed runs,
//     and median user+system CPU time (less disturbed by a busy machine);
//   - µs/svc: median wall time divided by the row's services;
//   - RSS MiB, RSS range: median peak resident memory and its spread;
//   - t/bare, t/protogn, m/bare, m/protogn: median wall time and median
//     peak RSS over those of the bare and protogen floors;
//   - files, out bytes: files in the response and output bytes, the sum of
//     their contents' sizes.
//
// Under each table, "plugin / bare-floor": the plugin's wall time and peak
// RSS over the bare floor's, with the goal (both at most 1.3x) on the
// corpus and at N=1000 of the chained shape. After the synthetic rows: the
// plugin's time per service at every N (a flat line means linear scaling)
// with the ratio between the largest N and the smallest N >= 100; its
// output bytes at every N, their growth from the smallest to the largest N
// next to the growth in services, and, when 100 and 1000 are both among -n,
// "output bytes 1000/100" with its goal (at most 12x, linear output).
// Goals are reported as met or MISSED; they do not change the exit status.
//
// # How it measures
//
// Every run goes through internal/bench/runner, a small freshly exec'd
// helper that starts the program with stdin, stdout and stderr attached
// directly to files, times it from just before start to just after wait
// (wall time, so process start and exit are included, as protoc would see
// them), and reads its peak RSS from wait4's rusage (ru_maxrss, KiB on
// Linux). The helper exists because a child's ru_maxrss can never be lower
// than the peak RSS of the process that forked it, and this process grows
// large while compiling the trees. Responses are parsed after every run. A
// program that exits non-zero, dies, writes an unparsable response or a
// response with its error field set is not run again on that row: its line
// says FAILED, its error follows the table, the other programs go on, and
// once every row is done the benchmark exits non-zero naming each failure.
//
// Usage (from the module root):
//
//	go run ./internal/bench -plugin "" -n 10,100,1000,5000
//	go run ./internal/bench -plugin bin/protoc-gen-registration -shape chained -n 100,1000
//	go run ./internal/bench -plugin bin/protoc-gen-registration -corpus ../shared/corpora/googleapis-part.tgz -runs 3
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
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ovasabi/protoc-gen-registration/internal/compile"
	"google.golang.org/protobuf/types/pluginpb"
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
	shape      shape
	corpus     string
	extras     extraFlag
}

// goalN is the synthetic size at which the chained shape has a speed and
// memory goal, and defaultNs the sizes run when -n is not given.
const (
	goalN     = 1000
	defaultNs = "10,100,1000,5000"
)

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
	var ns, sh string
	flag.StringVar(&cfg.plugin, "plugin", "", "plugin binary to benchmark; empty builds ./cmd/protoc-gen-registration")
	flag.StringVar(&cfg.param, "param", "", "parameter passed to the plugin in the request (empty: default JSON output)")
	flag.StringVar(&ns, "n", "", "comma-separated numbers of services of the synthetic rows (default "+defaultNs+", or none with -corpus)")
	flag.StringVar(&sh, "shape", string(shapeFlat), "shape of the synthetic trees: flat, chained or versions (see the package doc)")
	flag.StringVar(&cfg.corpus, "corpus", "", "googleapis tree, as a directory or a .tgz, whose google/ and grafeas/ protos make one more row")
	flag.IntVar(&cfg.runs, "runs", 5, "timed runs per program and row")
	flag.IntVar(&cfg.warmup, "warmup", 1, "untimed warm-up runs per program and row (page cache, binary loading)")
	flag.IntVar(&cfg.perPackage, "per-package", 10, "services per proto package")
	flag.StringVar(&cfg.googleapis, "googleapis", "", "import root of the vendored google/api protos for synthetic trees (default MODULE/third_party/googleapis)")
	flag.BoolVar(&cfg.keep, "keep", false, "keep the work directory (protos, requests, binaries) and print its path")
	flag.Int64Var(&cfg.maxRSSMiB, "max-rss-mib", 8192, "kill and fail a program whose RSS exceeds this (MiB; 0: no limit); protects the shared machine from the OOM killer")
	flag.Var(&cfg.extras, "extra", "extra program as name=path[:param]; repeatable")
	flag.Parse()
	if flag.NArg() != 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", flag.Args())
	}
	cfg.shape = shape(sh)
	if !slices.Contains(shapes, cfg.shape) {
		return cfg, fmt.Errorf("-shape %q: want flat, chained or versions", sh)
	}
	nGiven := false
	flag.Visit(func(f *flag.Flag) { nGiven = nGiven || f.Name == "n" })
	if !nGiven && cfg.corpus == "" {
		ns = defaultNs
	}
	if ns != "" {
		for f := range strings.SplitSeq(ns, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return cfg, fmt.Errorf("-n: bad count %q", f)
			}
			cfg.ns = append(cfg.ns, n)
		}
	}
	if len(cfg.ns) == 0 && cfg.corpus == "" {
		return cfg, errors.New("nothing to run: give -n, -corpus or both")
	}
	if cfg.runs < 1 || cfg.warmup < 0 || cfg.perPackage < 1 || cfg.maxRSSMiB < 0 {
		return cfg, errors.New("-runs and -per-package must be >= 1, -warmup and -max-rss-mib >= 0")
	}
	if cfg.corpus != "" {
		if _, err := os.Stat(cfg.corpus); err != nil {
			return cfg, fmt.Errorf("-corpus: %w", err)
		}
	}
	return cfg, nil
}

// run is the whole benchmark: build, then one table per synthetic N and
// one for the corpus, then the summary. A program that fails on a row is
// reported under its table and the benchmark goes on; run then returns an
// error naming every failure, so the exit status is non-zero.
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
	fmt.Printf("runs: %d timed (+%d warm-up) per program, interleaved; time = median wall, memory = median peak RSS\n", cfg.runs, cfg.warmup)
	if len(cfg.ns) > 0 {
		fmt.Printf("synthetic tree: shape %s, %d services per package\n", cfg.shape, cfg.perPackage)
	}
	if cfg.shape == shapeChained && len(cfg.ns) > 0 {
		fmt.Println("  (chained: message nesting depth grows with N, so time per service is expected to grow too)")
	}
	for _, p := range programs {
		fmt.Printf("  %-14s %s  parameter=%q\n", p.Name, p.Path, p.Param)
	}

	var all []nResult
	for _, n := range cfg.ns {
		res, err := benchSynthetic(ctx, cfg, programs, runner, filepath.Join(work, fmt.Sprintf("n%d", n)), n)
		if err != nil {
			return fmt.Errorf("synthetic tree of %d services: %w", n, err)
		}
		printTable(res, cfg.param == "" && cfg.shape == shapeChained && n == goalN)
		all = append(all, res)
	}
	if len(all) > 0 {
		printFlatness(all)
		printOutputGrowth(all)
	}
	if cfg.corpus != "" {
		res, err := benchCorpus(ctx, cfg, programs, runner, filepath.Join(work, "corpus-row"))
		if err != nil {
			return fmt.Errorf("corpus %s: %w", cfg.corpus, err)
		}
		printTable(res, cfg.param == "")
		all = append(all, res)
	}
	return failures(all)
}

// failures returns an error naming every program that failed on any row,
// or nil.
func failures(all []nResult) error {
	var failed []string
	for _, r := range all {
		for _, o := range r.Outcomes {
			if o.Err != nil {
				failed = append(failed, r.Label+": "+o.Prog.Name)
			}
		}
		if r.GraphErr != nil {
			failed = append(failed, r.Label+": registration-graph")
		}
	}
	if len(failed) == 0 {
		return nil
	}
	return fmt.Errorf("%d failed (errors under their tables): %s", len(failed), strings.Join(failed, ", "))
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

// nResult is everything measured on one row: one synthetic N, or the corpus.
type nResult struct {
	Label        string // "N=100" or the corpus file name
	Corpus       bool   // the real-world row, kept out of the scaling summaries
	N            int    // services in the files to generate
	Packages     int
	FilesToGen   int
	ProtoFiles   int
	RequestBytes int64 // size of the request with an empty parameter
	CompileTime  time.Duration
	Outcomes     []*outcome
	GraphErr     error // registration-graph's failure, if it failed
}

// benchSynthetic writes and compiles the tree for n services and measures
// every program on it.
func benchSynthetic(ctx context.Context, cfg config, programs []program, runner, dir string, n int) (nResult, error) {
	tree := newSynthTree(n, cfg.perPackage, cfg.shape)
	protoRoot := filepath.Join(dir, "proto")
	if err := tree.write(protoRoot); err != nil {
		return nResult{}, err
	}
	start := time.Now()
	req, err := compile.Request(ctx, []string{protoRoot, cfg.googleapis}, tree.files(), "")
	if err != nil {
		return nResult{}, fmt.Errorf("compiling synthetic tree: %w", err)
	}
	res := nResult{
		Label:       fmt.Sprintf("N=%d", n),
		N:           n,
		Packages:    tree.packages(),
		CompileTime: time.Since(start),
	}
	return benchRequest(cfg, programs, runner, dir, req, res)
}

// benchCorpus builds the request for the whole corpus and measures every
// program on it.
func benchCorpus(ctx context.Context, cfg config, programs []program, runner, dir string) (nResult, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nResult{}, err
	}
	fmt.Printf("\ncorpus %s: compiling every file once (tens of seconds for googleapis)...\n", cfg.corpus)
	start := time.Now()
	req, err := corpusRequest(ctx, cfg.corpus, dir)
	if err != nil {
		return nResult{}, err
	}
	services, packages := requestStats(req)
	if m := goMappings(req); m != "" {
		fmt.Printf("every program gets %d M parameters for files without go_package\n", strings.Count(m, ",")+1)
		programs = withParam(programs, m)
	}
	res := nResult{
		Label:       "corpus " + filepath.Base(cfg.corpus),
		Corpus:      true,
		N:           services,
		Packages:    packages,
		CompileTime: time.Since(start),
	}
	return benchRequest(cfg, programs, runner, dir, req, res)
}

// benchRequest writes the request files for res's row, measures every
// program on them and, when the plugin ran, registration-graph on its
// aggregate output. Program failures are recorded in the result, not
// returned; the error is for the bench's own failures.
func benchRequest(cfg config, programs []program, runner, dir string, req *pluginpb.CodeGeneratorRequest, res nResult) (nResult, error) {
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
	res.FilesToGen, res.ProtoFiles, res.RequestBytes = len(req.FileToGenerate), len(req.ProtoFile), st.Size()
	fmt.Printf("\n%s: %d services, %d packages, %d files to generate, %d files in request, request %d bytes, compiled in %v; running...\n",
		res.Label, res.N, res.Packages, res.FilesToGen, res.ProtoFiles, res.RequestBytes, res.CompileTime.Round(time.Millisecond))

	res.Outcomes = measure(runner, dir, programs, requests, cfg.warmup, cfg.runs, cfg.maxRSSMiB)
	if find(res, pluginName).ok() {
		res.GraphErr = benchGraph(dir, programs[0].Path, req, res.N, cfg.runs)
	}
	return res, nil
}
