// Package module defines what a domain module is to the kernel and keeps the
// registry that modules add themselves to.
//
// A module is a value with a stable ID and the IDs of the modules it requires.
// Everything else is optional and discovered by type assertion, so a module
// states only the capabilities it has:
//
//	Provisioner  Provision(ctx, *Host) error   set up state from config and DB
//	Validator    Validate() error               check the provisioned state
//	Migrator     Migrations() fs.FS             versioned SQL migrations
//	Router       Routes(*httpx.API)             HTTP operations with their spec
//	Worker       Jobs(*jobs.Registry)           River workers and periodic jobs
//	Starter      Start(ctx) error               background work begins
//	Stopper      Stop(ctx) error                background work ends
//
// The kernel runs them in that order for every enabled module, sorted so that
// a module comes after the modules it requires, and stops them in reverse.
// Job workers start after every module has started and stop before any
// module stops, so a job never runs against a stopped module.
// Each module guards its promises at compile time, for example
// var _ module.Router = (*Module)(nil).
package module

import (
	"context"
	"io/fs"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/jobs"
)

// Info identifies a module and names the modules it cannot run without.
type Info struct {
	// ID is the stable name used in modules.enabled, in migration table names
	// and in logs. Lower case, no spaces.
	ID string
	// Requires lists the IDs of modules that must be enabled and started
	// before this one.
	Requires []string
	// Summary is one line shown by `erp modules`.
	Summary string
}

// Module is the only method every module must have.
type Module interface {
	Info() Info
}

// Host is what the kernel hands a module when provisioning it: the shared
// database, the effective configuration, a logger tagged with the module ID,
// the services other modules have published, and the job client through
// which the module enqueues background jobs (Jobs.InsertTx inside the
// transaction of the write that causes them), and the event bus on which
// the module subscribes to committed domain events (Events.Subscribe).
type Host struct {
	DB       *bun.DB
	Config   *config.Config
	Log      *slog.Logger
	Services *Services
	Jobs     *jobs.Client
	Events   *events.Bus
}

// Provisioner is implemented by modules that prepare state before use.
type Provisioner interface {
	Provision(ctx context.Context, h *Host) error
}

// Validator is implemented by modules that check their provisioned state.
type Validator interface {
	Validate() error
}

// Migrator is implemented by modules that own database tables. The returned
// file system holds versioned migrations; see package migrations for layout.
type Migrator interface {
	Migrations() fs.FS
}

// Router is implemented by modules that serve HTTP operations. Each operation
// is declared once, with its handler and the Go types its spec is built from.
type Router interface {
	Routes(api *httpx.API)
}

// Worker is implemented by modules with background jobs. Jobs registers
// the module's River workers (jobs.AddWorker) and periodic jobs
// (r.AddPeriodic). Only enabled modules are asked, so a disabled module's
// workers never run.
type Worker interface {
	Jobs(r *jobs.Registry)
}

// Starter is implemented by modules with background work.
type Starter interface {
	Start(ctx context.Context) error
}

// Instancer is implemented by modules that keep state from Provision on.
// The registry holds one value per module, but each App asks for its own
// instance, so that two apps in one process (parallel tests) never share a
// database handle or a service.
type Instancer interface {
	NewInstance() Module
}

// Stopper is implemented by modules that must release resources.
type Stopper interface {
	Stop(ctx context.Context) error
}
