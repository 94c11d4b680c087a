package main

import (
	"context"
	"sync"
)

// runBatch runs every check once, at most concurrency at a time, and
// returns the results in the order of checks. Each check is bounded by
// the plan's timeout, so the whole batch takes about one timeout per
// concurrency checks that hang. When ctx ends, checks still running end
// at once and report that they were canceled.
func runBatch(ctx context.Context, c *checker, checks []check, concurrency int) []Result {
	results := make([]Result, len(checks))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(concurrency, len(checks)) {
		wg.Go(func() {
			for i := range jobs {
				results[i] = c.probe(ctx, checks[i])
			}
		})
	}
	for i := range checks {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return results
}
