package plugins

import (
	"context"
	"log/slog"
	"testing"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/plugins/host"
)

func TestModulePublishesTheHost(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	services := module.NewServices()
	m := &Module{}
	err := m.Provision(ctx, &module.Host{Config: config.Default(),
		Log: slog.New(slog.DiscardHandler), Services: services})
	if err != nil {
		t.Fatal(err)
	}
	h, err := module.Service[*host.Host](services, host.ServiceName)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if veto, err := h.BeforeTransition(ctx, host.Call{}); veto.Vetoed() || err != nil {
		t.Errorf("a host without plugins answered %+v, %v", veto, err)
	}
	if err := m.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}
