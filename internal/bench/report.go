package main

import (
	"fmt"
	"time"
)

// printTable prints one row's results: one line per program with its median
// wall time (and, as cross-checks against a busy machine, the fastest wall
// time and the median CPU time), time per service, median peak RSS and its
// range over the runs, ratios of time and memory to both floors (for the
// plugin line: plugin/bare and plugin/protogen), the files in its response
// and their output bytes (the sum of the files' content sizes). A program
// that failed gets a FAILED line and its error under the table. Then come
// the plugin's ratios to the bare floor, with the goal when goal is set.
func printTable(r nResult, goal bool) {
	bare, protogen := find(r, bareName), find(r, protogenName)
	fmt.Printf("%-14s %10s %10s %10s %10s %9s %13s %9s %9s %9s %9s %7s %11s\n",
		"program", "median", "min", "cpu", "µs/svc", "RSS MiB", "RSS range", "t/bare", "t/protogn", "m/bare", "m/protogn", "files", "out bytes")
	for _, o := range r.Outcomes {
		if o.Err != nil {
			fmt.Printf("%-14s FAILED after %d timed runs (error below)\n", o.Prog.Name, len(o.Samples))
			continue
		}
		med, peak := o.median(), o.peakKiB()
		lo, hi := o.peakRangeKiB()
		fmt.Printf("%-14s %10s %10s %10s %10.1f %9.1f %13s %9s %9s %9s %9s %7d %11d\n",
			o.Prog.Name, fmtDuration(med), fmtDuration(o.minWall()), fmtDuration(o.medianCPU()), perService(med, r.N), mib(peak),
			fmt.Sprintf("%.0f-%.0f", mib(lo), mib(hi)),
			ratio(float64(med), float64(bare.median())),
			ratio(float64(med), float64(protogen.median())),
			ratio(float64(peak), float64(bare.peakKiB())),
			ratio(float64(peak), float64(protogen.peakKiB())),
			o.Files, o.OutBytes)
	}
	for _, o := range r.Outcomes {
		if o.Err != nil {
			fmt.Printf("%s FAILED on %s: %v\n", o.Prog.Name, r.Label, o.Err)
		}
	}
	if r.GraphErr != nil {
		fmt.Printf("registration-graph FAILED on %s: %v\n", r.Label, r.GraphErr)
	}
	warnNearRunnerFloor(r)
	printBareRatios(r, goal)
	printGoRatios(r)
}

// goalRatio is the most the plugin's JSON output may cost over the bare
// floor, in median wall time and in median peak RSS, on the corpus and on
// the chained shape at goalN services.
const goalRatio = 1.3

// printBareRatios prints the plugin's median wall time and median peak RSS
// over the bare floor's. With goal set it also says whether both are within
// goalRatio.
func printBareRatios(r nResult, goal bool) {
	p, bare := find(r, pluginName), find(r, bareName)
	if !p.ok() || !bare.ok() {
		fmt.Printf("plugin / bare-floor on %s: no figures (a program failed)\n", r.Label)
		return
	}
	t := float64(p.median()) / float64(bare.median())
	m := float64(p.peakKiB()) / float64(bare.peakKiB())
	fmt.Printf("plugin / bare-floor on %s: wall %.2fx, peak RSS %.2fx", r.Label, t, m)
	if goal {
		verdict := "met"
		if t > goalRatio || m > goalRatio {
			verdict = "MISSED"
		}
		fmt.Printf(" (goal: both <= %.2fx: %s)", goalRatio, verdict)
	}
	fmt.Println()
}

// Rows that make bench adds with -extra (see the Makefile): the plugin with
// emit=json,go, and protoc-gen-go-grpc on the same request.
const (
	goRowName   = "json+go"
	grpcRowName = "go-grpc"
)

// printGoRatios prints the targets of Go output when its row is there:
// emit=json,go faster than protoc-gen-go-grpc and within 1.6x the
// do-nothing protogen plugin, by median wall time.
func printGoRatios(r nResult) {
	var goRow, grpcRow *outcome
	for _, o := range r.Outcomes {
		switch o.Prog.Name {
		case goRowName:
			goRow = o
		case grpcRowName:
			grpcRow = o
		}
	}
	if !goRow.ok() {
		return
	}
	if grpcRow.ok() {
		fmt.Printf("emit=json,go / protoc-gen-go-grpc: %s (target: below 1.00x)\n",
			ratio(float64(goRow.median()), float64(grpcRow.median())))
	}
	fmt.Printf("emit=json,go / protogen-noop:      %s (target: at most 1.60x)\n",
		ratio(float64(goRow.median()), float64(find(r, protogenName).median())))
}

// warnNearRunnerFloor flags memory figures that sit close to the runner's own
// peak RSS, below which nothing can be reported (see runner/main.go).
func warnNearRunnerFloor(r nResult) {
	var floor int64
	for _, o := range r.Outcomes {
		floor = max(floor, o.runnerHWMKiB())
	}
	fmt.Printf("(runner's own peak RSS %.1f MiB: no program can be reported below it)\n", mib(floor))
	for _, o := range r.Outcomes {
		if floor := o.runnerHWMKiB(); float64(o.peakKiB()) < 1.2*float64(floor) {
			fmt.Printf("  note: %s peak RSS is within 20%% of the runner's own %.1f MiB; treat it as an upper bound\n",
				o.Prog.Name, mib(floor))
		}
	}
}

// printFlatness prints the plugin's time per service at every N and the
// ratio between the largest N and the smallest N >= 100. A ratio near 1 means
// cost grows linearly with the number of services; well above 1 means
// something is super-linear. N < 100 is shown but not used: there the time
// is mostly process start and runtime initialisation, not per-service work.
// Rows where the plugin or a floor failed are left out.
func printFlatness(all []nResult) {
	all = pluginRan(all)
	fmt.Printf("\nplugin time per service (flat = linear scaling):\n")
	for _, r := range all {
		p, b, g := find(r, pluginName), find(r, bareName), find(r, protogenName)
		note := ""
		if r.N < 100 {
			note = "  (dominated by process start; not used for the ratio)"
		}
		fmt.Printf("  N=%-6d plugin %9.1f µs/svc   (bare %8.1f, protogen %8.1f)%s\n",
			r.N, perService(p.median(), r.N), perService(b.median(), r.N), perService(g.median(), r.N), note)
	}
	small, large := -1, -1
	for i, r := range all {
		if r.N >= 100 && (small < 0 || r.N < all[small].N) {
			small = i
		}
		if large < 0 || r.N > all[large].N {
			large = i
		}
	}
	if small < 0 || all[large].N == all[small].N {
		fmt.Println("  (need two sizes with N >= 100 for a flatness ratio)")
		return
	}
	s, l := all[small], all[large]
	fmt.Printf("  per-service time N=%d / N=%d: %.2f\n", l.N, s.N,
		perService(find(l, pluginName).median(), l.N)/perService(find(s, pluginName).median(), s.N))
}

// Output growth goal: at goalN services the plugin writes at most
// goalBytesGrowth times the bytes it writes at goalSmallN, which allows
// for a little more per service in larger trees but nothing quadratic.
const (
	goalSmallN      = 100
	goalBytesGrowth = 12.0
)

// printOutputGrowth prints the plugin's output bytes at every N, their
// growth from the smallest to the largest N next to the growth in
// services, and, when both goalSmallN and goalN were run, the line for the
// linear-output goal. Rows where the plugin failed are left out.
func printOutputGrowth(all []nResult) {
	all = pluginRan(all)
	if len(all) == 0 {
		return
	}
	fmt.Printf("\nplugin output bytes (linear output = bytes per service stay flat):\n")
	bytesAt := map[int]int{}
	small, large := all[0], all[0]
	for _, r := range all {
		out := find(r, pluginName).OutBytes
		bytesAt[r.N] = out
		fmt.Printf("  N=%-6d %12d bytes  %9.1f bytes/svc\n", r.N, out, float64(out)/float64(r.N))
		if r.N < small.N {
			small = r
		}
		if r.N > large.N {
			large = r
		}
	}
	if large.N != small.N && (large.N != goalN || small.N != goalSmallN) {
		fmt.Printf("  output bytes %d/%d = %s for %.0fx the services\n", large.N, small.N,
			ratio(float64(bytesAt[large.N]), float64(bytesAt[small.N])), float64(large.N)/float64(small.N))
	}
	lo, okLo := bytesAt[goalSmallN]
	hi, okHi := bytesAt[goalN]
	if okLo && okHi {
		verdict := "met"
		if float64(hi) > goalBytesGrowth*float64(lo) {
			verdict = "MISSED"
		}
		fmt.Printf("  output bytes %d/%d = %s for %dx the services (goal <= %.0fx: %s)\n", goalN, goalSmallN,
			ratio(float64(hi), float64(lo)), goalN/goalSmallN, goalBytesGrowth, verdict)
	}
}

// pluginRan returns the rows on which the plugin and both floors ran.
func pluginRan(all []nResult) []nResult {
	var out []nResult
	for _, r := range all {
		if find(r, pluginName).ok() && find(r, bareName).ok() && find(r, protogenName).ok() {
			out = append(out, r)
		}
	}
	return out
}

// find returns the outcome of the named program; the floors and the plugin
// are always present.
func find(r nResult, name string) *outcome {
	for _, o := range r.Outcomes {
		if o.Prog.Name == name {
			return o
		}
	}
	panic("bench: no results for " + name)
}

func perService(d time.Duration, n int) float64 {
	return float64(d) / float64(time.Microsecond) / float64(n)
}

func mib(kib int64) float64 { return float64(kib) / 1024 }

func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

// fmtDuration prints milliseconds with one decimal, enough for process runs.
func fmtDuration(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
}
