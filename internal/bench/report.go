package main

import (
	"fmt"
	"time"
)

// printTable prints one N's results: one row per program with its median
// wall time (and, as cross-checks against a busy machine, the fastest wall
// time and the median CPU time), time per service, median peak RSS and its
// range over the runs, and ratios of time and memory to both
// floors. For the plugin row these ratios are plugin/bare and
// plugin/protogen.
func printTable(r nResult) {
	bare, protogen := find(r, bareName), find(r, protogenName)
	fmt.Printf("%-14s %10s %10s %10s %10s %9s %13s %9s %9s %9s %9s %7s %11s\n",
		"program", "median", "min", "cpu", "µs/svc", "RSS MiB", "RSS range", "t/bare", "t/protogn", "m/bare", "m/protogn", "files", "out bytes")
	for _, o := range r.Outcomes {
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
	warnNearRunnerFloor(r)
	printGoRatios(r)
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
	if goRow == nil {
		return
	}
	if grpcRow != nil {
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
func printFlatness(all []nResult) {
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
