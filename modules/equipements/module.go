// Package equipements is the equipment module (the contract's equipements
// tag): each piece of equipment belongs to one client, and every change of
// its status is kept in its history. It publishes "equipements.service",
// through which the interventions module reads equipment and moves its
// status inside its own transactions.
package equipements

import (
	"context"
	"embed"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/module"
)

// ID is the module's ID.
const ID = "equipements"

// ServiceName is the name under which the module publishes its *Service.
const ServiceName = "equipements.service"

// clientsService is the clients module's service, used to check client_id.
const clientsService = "clients.service"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { module.Register(&Module{}) }

// clientChecker is the part of "clients.service" this module uses.
type clientChecker interface {
	Exists(ctx context.Context, db bun.IDB, id int64) (bool, error)
}

// Module is the equipment module.
type Module struct {
	db      *bun.DB
	clients clientChecker
	svc     *Service
}

var (
	_ module.Provisioner = (*Module)(nil)
	_ module.Instancer   = (*Module)(nil)
	_ module.Migrator    = (*Module)(nil)
	_ module.Router      = (*Module)(nil)
)

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Requires: []string{"clients"},
		Summary: "Client equipment and its status history"}
}

// Provision looks up the clients service and publishes this module's own.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	clients, err := module.Service[clientChecker](h.Services, clientsService)
	if err != nil {
		return fmt.Errorf("equipements: %w", err)
	}
	m.db, m.clients, m.svc = h.DB, clients, &Service{}
	return h.Services.Provide(ServiceName, m.svc)
}

// NewInstance returns a fresh, unprovisioned module, so that each app in a
// process (parallel tests) keeps its own database handle and services.
func (m *Module) NewInstance() module.Module { return &Module{} }

// Migrations returns the module's migrations.
func (m *Module) Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return sub
}
