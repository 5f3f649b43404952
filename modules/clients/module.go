// Package clients is the clients module (the contract's clients tag): the
// client organisations for which interventions are carried out. It owns the
// clients table and publishes "clients.service" so other modules can check
// that a client exists without importing this package.
package clients

import (
	"context"
	"embed"
	"io/fs"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/module"
)

// ID is the module's ID.
const ID = "clients"

// ServiceName is the name under which the module publishes its *Service.
const ServiceName = "clients.service"

// statsService is the service of the interventions module that counts a
// client's interventions. It is looked up at request time because that
// module comes after this one and may be disabled.
const statsService = "interventions.stats"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { module.Register(&Module{}) }

// Module is the clients module.
type Module struct {
	db       *bun.DB
	services *module.Services
}

var (
	_ module.Provisioner = (*Module)(nil)
	_ module.Instancer   = (*Module)(nil)
	_ module.Migrator    = (*Module)(nil)
	_ module.Router      = (*Module)(nil)
)

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Requires: []string{"auth"},
		Summary: "Client organisations"}
}

// Provision keeps the database and the service directory, and publishes the
// module's service.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	m.db, m.services = h.DB, h.Services
	return h.Services.Provide(ServiceName, &Service{})
}

// NewInstance returns a fresh, unprovisioned module, so that each app in a
// process (parallel tests) keeps its own database handle and services.
func (m *Module) NewInstance() module.Module { return &Module{} }

// Migrations returns the module's migrations.
func (m *Module) Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return sub
}
