// Package users is the users module: accounts, roles and profiles (the
// contract's users tag), and the reading of the audit log. It owns the users
// table, tells the guard about each user's current state and gives the
// authentication module the accounts it signs in.
package users

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"time"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/auth"
	coredb "github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/module"
)

// ID is the module's ID.
const ID = "users"

// Service names this module publishes, besides auth.AccountsService and
// auth.PasswordsService.
const (
	// StateService is the auth.StateLoader of the guard.
	StateService = "users.state"
	// ServiceName is the *Service, used by the `erp users` command.
	ServiceName = "users.service"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { module.Register(&Module{}) }

// Module is the users module.
type Module struct {
	cfg *config.Config
	svc *Service
}

var (
	_ module.Provisioner = (*Module)(nil)
	_ module.Instancer   = (*Module)(nil)
	_ module.Migrator    = (*Module)(nil)
	_ module.Router      = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
)

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Summary: "User accounts, roles, profiles and the audit log"}
}

// Provision builds the account service and publishes what the
// authentication module and the command line need.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	m.cfg = h.Config
	m.svc = &Service{
		db:       h.DB,
		hasher:   auth.NewHasher(auth.DefaultPasswordParams),
		minLen:   h.Config.Auth.PasswordMinLength,
		services: h.Services,
		log:      h.Log,
		now:      func() time.Time { return time.Now().UTC() },
	}
	q := h.DB.NewSelect().Model((*User)(nil)).Where("u.id = ?", coredb.Param(h.DB, 1))
	var err error
	if m.svc.byID, err = coredb.NewStmt(h.DB, q); err != nil {
		return err
	}
	return errors.Join(
		h.Services.Provide(StateService, auth.StateLoader(m.svc.loadState)),
		h.Services.Provide(auth.AccountsService, auth.Accounts(m.svc)),
		h.Services.Provide(auth.PasswordsService, m.svc.hasher),
		h.Services.Provide(ServiceName, m.svc),
	)
}

// Migrations returns the module's migrations.
func (m *Module) Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return sub
}

// Start seeds the demo administrator when auth.seed_demo_admin is on, which
// the configuration refuses in the prod profile.
func (m *Module) Start(ctx context.Context) error {
	if !m.cfg.Auth.SeedDemoAdmin || m.cfg.IsProd() {
		return nil
	}
	return m.svc.seedDemoAdmin(ctx)
}

// NewInstance gives each app its own, unprovisioned module.
func (m *Module) NewInstance() module.Module { return &Module{} }
