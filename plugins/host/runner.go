package host

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/erp-interventions/erp/config"
	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
	"github.com/erp-interventions/erp/plugins/protocol"
)

// Supervision timings. A variable so that tests can shorten them.
var (
	// watchEvery is how often the supervisor checks that the process lives.
	watchEvery = 200 * time.Millisecond
	// pingEvery is how often a running plugin is health-checked.
	pingEvery = 5 * time.Second
	// firstBackoff and maxBackoff bound the wait between two launches.
	firstBackoff = 100 * time.Millisecond
	maxBackoff   = 30 * time.Second
	// stableAfter is how long a plugin must run before a crash restarts
	// it at once again instead of after a growing back-off.
	stableAfter = 10 * time.Second
)

// maxTimeouts is the number of deadlines missed in a row after which a
// plugin counts as hung and is restarted. One slow call alone does not.
const maxTimeouts = 3

// kick asks the supervisor to look at the plugin now.
type kick int

const (
	kickCheck kick = iota // a call failed at the transport level: check it
	kickHung              // calls keep missing their deadline: restart it
)

// runner supervises one declared plugin: it launches the process, watches
// it, restarts it with back-off, and carries out calls on it.
type runner struct {
	spec     config.Plugin
	sum      []byte
	timeout  time.Duration
	failOpen bool
	config   *structpb.Struct
	log      *slog.Logger

	kicks    chan kick
	timeouts atomic.Int32
	ready    chan struct{} // closed after the first launch attempt

	mu       sync.RWMutex
	inst     *instance
	state    State
	lastErr  error
	about    about // from the last successful Describe
	restarts int
	launchIn time.Duration
}

func newRunner(spec config.Plugin, log *slog.Logger) (*runner, error) {
	sum, err := spec.Checksum()
	if err != nil {
		return nil, fmt.Errorf("plugin %q: sha256: %w", spec.Name, err)
	}
	cfg, err := protocol.StructFromMap(spec.Config)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: config: %w", spec.Name, err)
	}
	return &runner{
		spec:     spec,
		sum:      sum,
		timeout:  spec.EffectiveTimeout(),
		failOpen: spec.EffectivePolicy() == config.FailOpen,
		config:   cfg,
		log:      log.With(slog.String("plugin", spec.Name)),
		kicks:    make(chan kick, 1),
		ready:    make(chan struct{}),
		state:    StateStarting,
	}, nil
}

// appliesTo reports whether the plugin is declared for that client.
func (r *runner) appliesTo(clientID int64) bool {
	return len(r.spec.Clients) == 0 || slices.Contains(r.spec.Clients, clientID)
}

// mayServe reports whether the plugin serves hook, as far as is known:
// before its first successful Describe, it might.
func (r *runner) mayServe(hook protocol.Hook) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.about.hooks == nil || slices.Contains(r.about.hooks, hook)
}

// supervise launches the plugin and keeps it running until ctx ends.
func (r *runner) supervise(ctx context.Context) {
	defer r.set(StateStopped, nil, nil)
	delay := time.Duration(0)
	for {
		if !sleep(ctx, delay) {
			return
		}
		inst, err := r.start(ctx)
		if errors.Is(err, ErrRefused) {
			return
		}
		if err != nil {
			delay = nextBackoff(delay)
			r.log.Warn("plugin did not start; retrying", slog.Any("error", err),
				slog.Duration("retry_in", delay))
			continue
		}

		reason := r.watch(ctx, inst)
		r.set(StateRestarting, nil, reason)
		inst.stop(ctx.Err() != nil)
		if ctx.Err() != nil {
			return
		}
		delay = r.restartDelay(inst, delay)
		r.log.Error("plugin stopped working; restarting", slog.Any("reason", reason),
			slog.Duration("restart_in", delay))
	}
}

// start makes one launch attempt and records its outcome.
func (r *runner) start(ctx context.Context) (*instance, error) {
	begin := time.Now()
	inst, err := r.launch(ctx)
	defer r.markReady()
	if err != nil {
		state := StateRestarting
		if errors.Is(err, ErrRefused) {
			state = StateRefused
			r.log.Error("plugin refused", slog.Any("error", err))
		}
		r.set(state, nil, err)
		return nil, err
	}

	r.mu.Lock()
	r.launchIn = time.Since(begin)
	r.about = inst.about
	r.mu.Unlock()
	r.timeouts.Store(0)
	r.set(StateRunning, inst, nil)
	r.log.Info("plugin running", slog.Int("pid", inst.pid()),
		slog.String("version", inst.about.version),
		slog.Duration("start", time.Since(begin)))
	return inst, nil
}

// restartDelay is no delay after a plugin that ran long enough, and a
// growing back-off for one that keeps failing.
func (r *runner) restartDelay(inst *instance, last time.Duration) time.Duration {
	r.mu.Lock()
	r.restarts++
	r.mu.Unlock()
	if time.Since(inst.started) >= stableAfter {
		return 0
	}
	return nextBackoff(last)
}

func nextBackoff(d time.Duration) time.Duration {
	if d < firstBackoff {
		return firstBackoff
	}
	return min(2*d, maxBackoff)
}

// watch returns why inst must be replaced: the process exited, stopped
// answering, or the host is stopping (ctx ended).
func (r *runner) watch(ctx context.Context, inst *instance) error {
	tick := time.NewTicker(watchEvery)
	defer tick.Stop()
	lastPing := time.Now()
	for {
		select {
		case <-ctx.Done():
			return errors.New("the host is stopping")
		case k := <-r.kicks:
			if err := r.diagnose(ctx, inst, k); err != nil {
				return err
			}
		case <-tick.C:
			if inst.client.Exited() {
				return errors.New("the plugin process exited")
			}
			if time.Since(lastPing) < pingEvery {
				continue
			}
			lastPing = time.Now()
			if err := r.ping(ctx, inst); err != nil {
				return err
			}
		}
	}
}

func (r *runner) diagnose(ctx context.Context, inst *instance, k kick) error {
	if k == kickHung {
		return fmt.Errorf("%d calls in a row missed their deadline", maxTimeouts)
	}
	if inst.client.Exited() {
		return errors.New("the plugin process exited")
	}
	return r.ping(ctx, inst)
}

// ping runs gRPC's health check, which go-plugin serves, under the
// plugin's deadline.
func (r *runner) ping(ctx context.Context, inst *instance) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	_, err := grpc_health_v1.NewHealthClient(inst.conn).Check(ctx,
		&grpc_health_v1.HealthCheckRequest{Service: goplugin.GRPCServiceName})
	if err != nil {
		return fmt.Errorf("health check failed: %w", err)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (r *runner) set(state State, inst *instance, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state == StateRefused && state == StateStopped {
		return
	}
	r.state, r.inst = state, inst
	if err != nil {
		r.lastErr = err
	}
}

func (r *runner) markReady() {
	select {
	case <-r.ready:
	default:
		close(r.ready)
	}
}

// errNotServed marks a hook the plugin does not serve: the call skips it.
var errNotServed = errors.New("hook not served")

// current returns the running instance, or the reason there is none.
// errNotServed means the plugin said it does not serve hook; an empty hook
// asks for the instance whatever it serves.
func (r *runner) current(hook protocol.Hook) (*instance, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if hook != "" && r.about.hooks != nil && !slices.Contains(r.about.hooks, hook) {
		return nil, errNotServed
	}
	switch {
	case r.inst != nil:
		return r.inst, nil
	case r.state == StateRefused:
		return nil, r.lastErr
	case r.lastErr != nil:
		return nil, fmt.Errorf("%w: %w", ErrNotRunning, r.lastErr)
	}
	return nil, ErrNotRunning
}

// do runs one hook call on the running process under the plugin's
// deadline, and tells the supervisor when the call hints that the process
// is dead or hung.
func (r *runner) do(ctx context.Context, hook protocol.Hook,
	call func(context.Context, pluginv1.PluginClient) error) error {
	inst, err := r.current(hook)
	if err != nil {
		return err
	}
	callCtx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	err = call(callCtx, inst.rpc)
	r.observe(ctx, err)
	return err
}

// observe counts missed deadlines and kicks the supervisor on transport
// failures. Errors caused by the caller going away say nothing about the
// plugin.
func (r *runner) observe(ctx context.Context, err error) {
	if err == nil {
		r.timeouts.Store(0)
		return
	}
	if ctx.Err() != nil {
		return
	}
	switch status.Code(err) {
	case codes.DeadlineExceeded:
		if r.timeouts.Add(1) >= maxTimeouts {
			r.kick(kickHung)
		}
	case codes.Unavailable, codes.Canceled, codes.Unknown:
		r.kick(kickCheck)
	}
}

func (r *runner) kick(k kick) {
	select {
	case r.kicks <- k:
	default:
	}
}

// context builds the Context message for a call.
func (r *runner) context(c Call) *pluginv1.Context {
	return &pluginv1.Context{
		Role:      c.Role,
		ClientId:  c.Intervention.ClientID,
		Criticite: c.Criticite,
		Config:    r.config,
	}
}
