// Package users is the users module: accounts, roles and profiles (the
// contract's users tag). It owns the users table and tells the guard about
// each user's current state.
package users

import (
	"context"
	"embed"
	"io/fs"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/module"
)

// ID is the module's ID.
const ID = "users"

// StateService is the service name of the auth.StateLoader this module
// publishes.
const StateService = "users.state"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { module.Register(&Module{}) }

// Module is the users module.
type Module struct {
	db *bun.DB
}

var (
	_ module.Provisioner = (*Module)(nil)
	_ module.Migrator    = (*Module)(nil)
)

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Summary: "User accounts, roles and profiles"}
}

// Provision keeps the database and publishes the user-state loader.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	m.db = h.DB
	return h.Services.Provide(StateService, auth.StateLoader(m.loadState))
}

// Migrations returns the module's migrations.
func (m *Module) Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return sub
}

func (m *Module) loadState(ctx context.Context, id int64) (auth.UserState, bool, error) {
	var row struct {
		Actif    bool   `bun:"actif"`
		Role     string `bun:"role"`
		ClientID *int64 `bun:"client_id"`
	}
	err := m.db.NewSelect().Table("users").Column("actif", "role", "client_id").
		Where("id = ?", id).Scan(ctx, &row)
	if err != nil {
		if isNoRows(err) {
			return auth.UserState{}, false, nil
		}
		return auth.UserState{}, false, err
	}
	s := auth.UserState{Active: row.Actif, Role: auth.Role(row.Role)}
	if row.ClientID != nil {
		s.ClientID = *row.ClientID
	}
	return s, true, nil
}
