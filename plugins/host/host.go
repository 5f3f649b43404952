// Package host runs the out-of-process plugins declared in the
// configuration and calls their hooks for the interventions module.
//
// Each plugin is an executable started through go-plugin's gRPC transport
// with automatic mutual TLS, after its SHA-256 was checked against the
// configuration. A supervisor per plugin watches the process (a liveness
// check every 200 ms, a gRPC health check every 5 s, and at once when a
// call fails at the transport level), and relaunches a plugin that
// crashed or hung with a growing back-off; go-plugin itself never
// restarts anything. Between two launches the plugin's failure policy
// decides every call: fail_open skips the plugin, fail_closed refuses the
// operation with an error matching ErrUnavailable.
//
// Every call carries the plugin's deadline. Only the plugins whose clients
// list holds the intervention's client, or that have no such list, are
// called, in the order of the configuration. What a plugin writes to its
// standard error becomes lines of the server's log with a plugin
// attribute. Stop ends every plugin process; a plugin built with
// plugins/sdk also exits by itself when the server process dies.
package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/erp-interventions/erp/config"
)

// ServiceName is the name under which the plugins module publishes its
// *Host in module.Services.
const ServiceName = "plugins.host"

// Host runs the declared plugins. Its zero value is not usable; call New.
// A Host with no plugin declared answers every call at once with nothing.
type Host struct {
	log     *slog.Logger
	runners []*runner

	mu     sync.Mutex
	cancel context.CancelFunc
	done   sync.WaitGroup
}

// New prepares a host for the declared plugins without starting them. It
// fails only on a declaration the configuration's validation should have
// refused.
func New(plugins []config.Plugin, log *slog.Logger) (*Host, error) {
	if log == nil {
		log = slog.Default()
	}
	h := &Host{log: log}
	for _, spec := range plugins {
		r, err := newRunner(spec, log)
		if err != nil {
			return nil, fmt.Errorf("prepare plugins: %w", err)
		}
		h.runners = append(h.runners, r)
	}
	return h, nil
}

// Start launches every plugin and waits until each has either answered
// its handshake or failed its first attempt, or until ctx ends. A plugin
// that fails never fails Start: it is logged, refused or retried in the
// background, and the server starts anyway.
func (h *Host) Start(ctx context.Context) error {
	h.mu.Lock()
	if h.cancel != nil {
		h.mu.Unlock()
		return errors.New("start plugins: already started")
	}
	run, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.cancel = cancel
	h.mu.Unlock()

	for _, r := range h.runners {
		h.done.Go(func() { r.supervise(run) })
	}
	for _, r := range h.runners {
		select {
		case <-r.ready:
		case <-ctx.Done():
			return nil
		}
	}
	return nil
}

// Stop ends every plugin process and waits for them, or until ctx ends.
func (h *Host) Stop(ctx context.Context) error {
	h.mu.Lock()
	cancel := h.cancel
	h.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()

	done := make(chan struct{})
	go func() {
		h.done.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop plugins: %w", ctx.Err())
	}
}

// Status describes every declared plugin, in configuration order.
func (h *Host) Status() []Status {
	out := make([]Status, 0, len(h.runners))
	for _, r := range h.runners {
		out = append(out, r.status())
	}
	return out
}

// Ping health-checks the named plugin under its deadline.
func (h *Host) Ping(ctx context.Context, name string) error {
	for _, r := range h.runners {
		if r.spec.Name != name {
			continue
		}
		inst, err := r.current("")
		if err != nil {
			return fmt.Errorf("ping plugin %q: %w", name, err)
		}
		return r.ping(ctx, inst)
	}
	return fmt.Errorf("ping plugin %q: no such plugin", name)
}

// Serves reports whether a plugin that applies to the client may serve
// hook: one that said it serves it, or one that has not run yet and so
// has not said. The interventions module asks it before enqueueing an
// AfterTransition job or reading what a call needs, so that a deployment
// without plugins pays nothing.
func (h *Host) Serves(hook Hook, clientID int64) bool {
	for _, r := range h.matching(clientID) {
		if r.mayServe(hook) {
			return true
		}
	}
	return false
}

// Declared reports how many plugins the configuration declares.
func (h *Host) Declared() int { return len(h.runners) }

// matching returns the plugins that apply to the client, in order.
func (h *Host) matching(clientID int64) []*runner {
	var out []*runner
	for _, r := range h.runners {
		if r.appliesTo(clientID) {
			out = append(out, r)
		}
	}
	return out
}

// settle applies r's failure policy to the outcome of a call: nil when
// the call succeeded, was not served, or failed on a fail_open plugin;
// an *Error otherwise. A caller that went away gets its own error back.
func (h *Host) settle(ctx context.Context, r *runner, hook Hook, err error) error {
	if err == nil || errors.Is(err, errNotServed) {
		return nil
	}
	if ctx.Err() != nil {
		return fmt.Errorf("plugin %q: %s: %w", r.spec.Name, hook, ctx.Err())
	}
	attrs := []any{slog.String("hook", string(hook)), slog.Any("error", err)}
	if r.failOpen {
		r.log.Warn("plugin call failed; going on without it (fail_open)", attrs...)
		return nil
	}
	r.log.Error("plugin call failed; refusing the operation (fail_closed)", attrs...)
	return &Error{Plugin: r.spec.Name, Hook: hook, Err: err}
}
