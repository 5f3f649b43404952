// Package plugins is the module that runs the out-of-process plugins
// declared under plugins in the configuration (see plugins/PLUGINS.md).
//
// It owns no table and no route. In Provision it builds the plugin host
// and publishes it as the service host.ServiceName ("plugins.host"); the
// interventions module looks the host up there when this module is
// enabled (it does not require it) and calls its hooks. Start launches the
// plugin processes, Stop ends them. With no plugin declared the module
// starts nothing and every hook call returns at once.
//
// The module also works the AfterTransition jobs that the interventions
// module enqueues in each transition's transaction: its worker tells the
// plugins about the committed step, off the request.
package plugins

import (
	"context"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/jobs"
	"github.com/erp-interventions/erp/plugins/host"
)

// ID is the module's ID, which modules calling plugin hooks list in their
// Requires.
const ID = "plugins"

// Module runs the plugin host.
type Module struct {
	host *host.Host
}

var (
	_ module.Provisioner = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
	_ module.Stopper     = (*Module)(nil)
	_ module.Worker      = (*Module)(nil)
	_ module.Instancer   = (*Module)(nil)
)

func init() { module.Register(&Module{}) }

// NewInstance returns a fresh module, so that two apps in one process
// (parallel tests) never share a plugin host.
func (*Module) NewInstance() module.Module { return &Module{} }

// Info identifies the module.
func (*Module) Info() module.Info {
	return module.Info{ID: ID,
		Summary: "Out-of-process plugins called at the intervention workflow's hook points"}
}

// Provision builds the host from the configuration and publishes it.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	ph, err := host.New(h.Config.Plugins, h.Log)
	if err != nil {
		return err
	}
	if err := h.Services.Provide(host.ServiceName, ph); err != nil {
		return fmt.Errorf("publish plugin host: %w", err)
	}
	m.host = ph
	return nil
}

// Start launches the plugin processes. A plugin that fails to start is
// logged and retried, or refused, but never stops the server.
func (m *Module) Start(ctx context.Context) error {
	return m.host.Start(ctx)
}

// Stop ends every plugin process.
func (m *Module) Stop(ctx context.Context) error {
	return m.host.Stop(ctx)
}

// Jobs registers the AfterTransition worker when the configuration
// declares plugins. Without plugins no such job is enqueued, and
// registering nothing keeps the process from starting job workers for
// this module alone.
//
// Limitation: a job enqueued before the plugins were removed from the
// configuration then waits, unworked, until plugins are declared again.
func (m *Module) Jobs(r *jobs.Registry) {
	if m.host == nil || m.host.Declared() == 0 {
		return
	}
	jobs.AddWorker(r, &afterTransitionWorker{host: m.host})
}

// afterTransitionWorker tells the plugins about a committed transition.
type afterTransitionWorker struct {
	river.WorkerDefaults[host.AfterTransitionArgs]
	host *host.Host
}

// Work calls the hook. An error, returned when a fail_closed plugin could
// not be told, makes River retry the job with back-off; fail_open plugins
// that fail are skipped.
//
// Limitation: delivery is at least once. A retried job tells again the
// plugins that were already told before the one that failed, so a plugin
// should treat a repeated (intervention id, action, statut) as one.
func (w *afterTransitionWorker) Work(ctx context.Context,
	job *river.Job[host.AfterTransitionArgs]) error {
	if err := w.host.AfterTransition(ctx, job.Args.Call); err != nil {
		return fmt.Errorf("tell plugins about transition %s of intervention %d: %w",
			job.Args.Call.Transition.Action, job.Args.Call.Intervention.ID, err)
	}
	return nil
}
