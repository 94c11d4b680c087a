//go:build !unix

package regen

import "os/exec"

// setProcessGroup does nothing where process groups do not exist; a
// cancelled command is killed alone.
func setProcessGroup(cmd *exec.Cmd) {}

// processAlive assumes the process exists, so that no staging directory of a
// running process is removed.
func processAlive(pid int) bool { return true }

// lockFile does not lock: Apply and Restore of two processes on one state
// directory are not serialized on this platform.
func lockFile(path string) (func(), error) { return func() {}, nil }
