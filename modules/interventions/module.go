// Package interventions is the interventions module (the contract's
// interventions tag): maintenance interventions on client equipment and the
// workflow that carries them from ouverte to archivee.
//
// Who sees what: responsables and admins see every intervention; a client
// user sees its organisation's; a technician sees only the interventions
// currently assigned to them, so another technician's intervention answers
// 404 to every read and action, exactly as if it did not exist.
//
// Every write is one transaction holding the change, its history entry, its
// audit entry, its domain event (package events) and, for POSTs sent with an
// Idempotency-Key, the stored answer (package idempotency).
//
// When the plugins module is enabled, the client's out-of-process plugins
// (plugins/host) take part in the writes: ValidateIntervention on create
// and update, BeforeTransition before each step, ComputeFields on every
// write (into the extensions object), and AfterTransition from a job
// enqueued in the step's transaction. This module does not require
// plugins; without them no hook is called and nothing is read for them.
package interventions

import (
	"context"
	"embed"
	"errors"
	"io/fs"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/jobs"
	"github.com/erp-interventions/erp/plugins/host"
)

// ID is the module's ID.
const ID = "interventions"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { module.Register(&Module{}) }

// Module is the interventions module.
type Module struct {
	db       *bun.DB
	equip    equipements
	techs    techniciens
	grants   *auth.Grants
	profiles *profiles
	services *module.Services
	jobs     *jobs.Client
	// plugins is the plugin host, nil when the plugins module is disabled.
	plugins *host.Host
	// getStmts serve the read of one intervention.
	getStmts *getStmts
}

var (
	_ module.Instancer   = (*Module)(nil)
	_ module.Provisioner = (*Module)(nil)
	_ module.Validator   = (*Module)(nil)
	_ module.Migrator    = (*Module)(nil)
	_ module.Router      = (*Module)(nil)
)

// NewInstance returns a fresh, unprovisioned module, so that two apps in
// one process (parallel tests) never share a database or a cache.
func (m *Module) NewInstance() module.Module { return &Module{} }

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Requires: []string{"equipements", "techniciens"},
		Summary: "Maintenance interventions and their workflow"}
}

// Provision takes the equipment and technician services and the permission
// table, and publishes the statistics other modules ask for.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	m.db = h.DB
	var errEquip, errTechs, errGrants error
	m.equip, errEquip = module.Service[equipements](h.Services, equipementsServiceName)
	m.techs, errTechs = module.Service[techniciens](h.Services, techniciensServiceName)
	m.grants, errGrants = module.Service[*auth.Grants](h.Services, grantsServiceName)
	if err := errors.Join(errEquip, errTechs, errGrants); err != nil {
		return err
	}
	m.profiles = newProfiles(m.techs, h.DB)
	m.services, m.jobs = h.Services, h.Jobs
	var err error
	if m.getStmts, err = newGetStmts(h.DB); err != nil {
		return err
	}
	return h.Services.Provide(StatsService, Stats{})
}

// Validate takes the plugin host when the plugins module is enabled. It
// runs once every module is provisioned: plugins is not a requirement of
// this module, so its Provision may come after this one's.
func (m *Module) Validate() error {
	return m.lookupPlugins()
}

// Migrations returns the module's migrations.
func (m *Module) Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return sub
}
