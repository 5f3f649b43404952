// Package plugins is the module that runs the out-of-process plugins
// declared under plugins in the configuration (see plugins/PLUGINS.md).
//
// It owns no table and no route. In Provision it builds the plugin host
// and publishes it as the service host.ServiceName ("plugins.host"); the
// interventions module, which lists "plugins" in its Requires, looks the
// host up there and calls its hooks. Start launches the plugin processes,
// Stop ends them. With no plugin declared the module starts nothing and
// every hook call returns at once.
package plugins

import (
	"context"
	"fmt"

	"github.com/erp-interventions/erp/core/module"
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
)

func init() { module.Register(&Module{}) }

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
