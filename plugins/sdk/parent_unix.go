//go:build unix

package sdk

import (
	"errors"
	"syscall"
)

// processExists reports whether a process with that id is alive; a process
// that exists but belongs to someone else counts as alive.
func processExists(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
