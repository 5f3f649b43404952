package host

import (
	"errors"
	"fmt"

	"github.com/erp-interventions/erp/plugins/protocol"
)

// ErrUnavailable matches, through errors.Is, every error the host returns
// because a fail_closed plugin could not give an answer: it is not
// running, it was refused at start-up, it missed its deadline or its hook
// failed. The operation must then be refused; the interventions module
// answers 503 and writes nothing.
var ErrUnavailable = errors.New("plugin unavailable")

// ErrRefused is the cause of calls to a plugin that was refused at
// start-up: its file is missing or its checksum does not match.
var ErrRefused = errors.New("plugin refused")

// ErrNotRunning is the cause of calls to a plugin that is between two
// launches.
var ErrNotRunning = errors.New("plugin not running")

// Error is a failed call of a fail_closed plugin.
type Error struct {
	// Plugin is the name of the plugin in the configuration.
	Plugin string
	// Hook is the hook that was called.
	Hook protocol.Hook
	// Err is the cause.
	Err error
}

// Error says which plugin and hook failed, and why.
func (e *Error) Error() string {
	return fmt.Sprintf("plugin %q: %s: %v", e.Plugin, e.Hook, e.Err)
}

// Unwrap returns ErrUnavailable and the cause.
func (e *Error) Unwrap() []error { return []error{ErrUnavailable, e.Err} }
