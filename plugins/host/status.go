package host

import (
	"time"

	"github.com/erp-interventions/erp/plugins/protocol"
)

// State is where a declared plugin stands.
type State string

// The states of a plugin.
const (
	// StateStarting: the first launch has not finished yet.
	StateStarting State = "starting"
	// StateRunning: the process is up and answered its handshake.
	StateRunning State = "running"
	// StateRestarting: the process failed to start, crashed or hung, and
	// a new launch is waiting for its back-off. The failure policy
	// applies to calls meanwhile.
	StateRestarting State = "restarting"
	// StateRefused: the file is missing or its checksum does not match.
	// The plugin is not retried until the server restarts.
	StateRefused State = "refused"
	// StateStopped: the host stopped.
	StateStopped State = "stopped"
)

// Status describes one declared plugin, for `erp plugins list` and logs.
type Status struct {
	// Name and Path are as declared.
	Name string
	Path string
	// Clients, Timeout and Policy are the effective settings; an empty
	// Clients means every client.
	Clients []int64
	Timeout time.Duration
	Policy  string
	// State is where the plugin stands.
	State State
	// Error is the last failure, or "".
	Error string
	// Version and Hooks are what the plugin said of itself when last
	// running; Hooks is nil when it never ran.
	Version string
	Hooks   []protocol.Hook
	// PID is the process id while running, else 0.
	PID int
	// Restarts counts the restarts after a crash or a hang.
	Restarts int
	// StartTime is how long the last successful launch took, from the
	// checksum to the answer of Describe.
	StartTime time.Duration
}

func (r *runner) status() Status {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := Status{
		Name:      r.spec.Name,
		Path:      r.spec.Path,
		Clients:   r.spec.Clients,
		Timeout:   r.timeout,
		Policy:    r.spec.EffectivePolicy(),
		State:     r.state,
		Version:   r.about.version,
		Hooks:     r.about.hooks,
		PID:       r.inst.pid(),
		Restarts:  r.restarts,
		StartTime: r.launchIn,
	}
	if r.lastErr != nil {
		s.Error = r.lastErr.Error()
	}
	return s
}
