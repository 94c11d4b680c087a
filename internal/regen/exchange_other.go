//go:build !linux

package regen

// exchange swaps the names a and b, both existing, with renames: this
// platform has no atomic exchange.
func exchange(a, b string) error { return exchangeByRename(a, b) }
