package registry

import (
	"encoding/json"
	"net/http"
	"runtime"
	"time"

	"github.com/ovasabi/protoc-gen-registration/registration"
)

// started is when the package was initialised, near enough the program's
// start for an uptime.
var started = time.Now()

// Handler returns an http.Handler for introspection that serves, for GET
// and HEAD:
//
//	/              {"registration": <the registry>, "runtime": <Go runtime statistics>}
//	/registration  the registry as a registration.v2 JSON document, as the plugin writes them
//	/runtime       Go runtime statistics: goroutines, memory, garbage collection
//
// Paths are relative to where the handler is mounted: to serve it below a
// prefix, wrap it in http.StripPrefix. Reading memory statistics stops the
// world for a moment; do not poll it in a tight loop.
func (r *Registry) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		doc := registration.AppendJSON(nil, r.Registration())
		writeJSON(w, struct {
			Registration json.RawMessage `json:"registration"`
			Runtime      RuntimeStats    `json:"runtime"`
		}{doc, ReadRuntimeStats()})
	})
	mux.HandleFunc("GET /registration", func(w http.ResponseWriter, _ *http.Request) {
		doc := registration.AppendJSON(nil, r.Registration())
		w.Header().Set("Content-Type", "application/json")
		w.Write(doc)
	})
	mux.HandleFunc("GET /runtime", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, ReadRuntimeStats())
	})
	return mux
}

// Handler returns Default's handler; see Registry.Handler.
func Handler() http.Handler { return Default.Handler() }

func writeJSON(w http.ResponseWriter, v any) {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(data, '\n'))
}

// RuntimeStats is a snapshot of the Go runtime, as the handler serves it.
type RuntimeStats struct {
	GoVersion     string      `json:"go_version"`
	GOOS          string      `json:"goos"`
	GOARCH        string      `json:"goarch"`
	NumCPU        int         `json:"num_cpu"`
	GOMAXPROCS    int         `json:"gomaxprocs"`
	Goroutines    int         `json:"goroutines"`
	UptimeSeconds float64     `json:"uptime_seconds"`
	Memory        MemoryStats `json:"memory"`
	GC            GCStats     `json:"gc"`
}

// MemoryStats are the runtime.MemStats figures about memory, in bytes
// except for the counts.
type MemoryStats struct {
	Alloc       uint64 `json:"alloc_bytes"`
	TotalAlloc  uint64 `json:"total_alloc_bytes"`
	Sys         uint64 `json:"sys_bytes"`
	HeapAlloc   uint64 `json:"heap_alloc_bytes"`
	HeapInuse   uint64 `json:"heap_inuse_bytes"`
	HeapIdle    uint64 `json:"heap_idle_bytes"`
	HeapObjects uint64 `json:"heap_objects"`
	StackInuse  uint64 `json:"stack_inuse_bytes"`
	Mallocs     uint64 `json:"mallocs"`
	Frees       uint64 `json:"frees"`
}

// GCStats are the runtime.MemStats figures about garbage collection.
type GCStats struct {
	NumGC         uint32     `json:"num_gc"`
	NumForcedGC   uint32     `json:"num_forced_gc"`
	PauseTotalNs  uint64     `json:"pause_total_ns"`
	LastPauseNs   uint64     `json:"last_pause_ns"`
	LastGC        *time.Time `json:"last_gc"` // null before the first collection
	NextGCBytes   uint64     `json:"next_gc_bytes"`
	GCCPUFraction float64    `json:"gc_cpu_fraction"`
}

// ReadRuntimeStats takes a snapshot of the Go runtime. It calls
// runtime.ReadMemStats, which stops the world briefly.
func ReadRuntimeStats() RuntimeStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	s := RuntimeStats{
		GoVersion:     runtime.Version(),
		GOOS:          runtime.GOOS,
		GOARCH:        runtime.GOARCH,
		NumCPU:        runtime.NumCPU(),
		GOMAXPROCS:    runtime.GOMAXPROCS(0),
		Goroutines:    runtime.NumGoroutine(),
		UptimeSeconds: time.Since(started).Seconds(),
		Memory: MemoryStats{
			Alloc: m.Alloc, TotalAlloc: m.TotalAlloc, Sys: m.Sys,
			HeapAlloc: m.HeapAlloc, HeapInuse: m.HeapInuse, HeapIdle: m.HeapIdle, HeapObjects: m.HeapObjects,
			StackInuse: m.StackInuse, Mallocs: m.Mallocs, Frees: m.Frees,
		},
		GC: GCStats{
			NumGC: m.NumGC, NumForcedGC: m.NumForcedGC, PauseTotalNs: m.PauseTotalNs,
			NextGCBytes: m.NextGC, GCCPUFraction: m.GCCPUFraction,
		},
	}
	if m.NumGC > 0 {
		// PauseNs is a circular buffer; the latest pause is at (NumGC+255)%256.
		s.GC.LastPauseNs = m.PauseNs[(m.NumGC+255)%256]
		last := time.Unix(0, int64(m.LastGC)).UTC()
		s.GC.LastGC = &last
	}
	return s
}
