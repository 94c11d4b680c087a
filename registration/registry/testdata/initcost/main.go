// Command initcost prints what initialising the example's generated
// packages cost: the allocations and bytes allocated before main runs, and
// the size of the binary. TestInitCost runs it.
package main

import (
	"fmt"
	"os"
	"runtime"

	_ "github.com/ovasabi/protoc-gen-registration/example/gen/go/identity/v1"
	_ "github.com/ovasabi/protoc-gen-registration/example/gen/go/library/v1"
	_ "github.com/ovasabi/protoc-gen-registration/example/gen/go/notify/v1"
)

func main() {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	size := int64(0)
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			size = fi.Size()
		}
	}
	fmt.Printf("mallocs %d bytes %d binary %d\n", m.Mallocs, m.TotalAlloc, size)
}
