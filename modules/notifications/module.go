// Package notifications is the notifications module (the contract's
// notifications tag): in-app notifications per user, a Server-Sent Events
// stream of new ones, e-mails through SMTP, and the rules that decide who
// hears about what.
//
// The module consumes the intervention events through the event bus; it
// never calls the interventions module, which may be disabled. From the
// events it keeps a small follow-up table of the interventions (status,
// technician, planned date, suspension), which the periodic checks read
// for long suspensions and planned reminders.
//
// Real time: a notification is written in the transaction that handles its
// event, and announced after commit to the streams of its user. On
// PostgreSQL the announcement is a NOTIFY, so a stream held by any `erp
// serve` process hears of it; on SQLite it stays in the process.
package notifications

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"sync"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/jobs"
)

// ID is the module's ID.
const ID = "notifications"

// subscriber is the module's stable name on the event bus.
const subscriber = "notifications"

// techniciensService is where the techniciens module publishes the lookup
// of a technician's user account.
const techniciensService = "techniciens.service"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { module.Register(&Module{}) }

// Module is the notifications module.
type Module struct {
	db       *bun.DB
	cfg      config.Notifications
	dbURL    string
	log      *slog.Logger
	jobs     *jobs.Client
	guard    httpx.Guard
	services *module.Services
	texts    *texts
	hub      *hub

	mu       sync.Mutex
	listener *events.Listener
}

var (
	_ module.Provisioner = (*Module)(nil)
	_ module.Instancer   = (*Module)(nil)
	_ module.Migrator    = (*Module)(nil)
	_ module.Router      = (*Module)(nil)
	_ module.Worker      = (*Module)(nil)
	_ module.Starter     = (*Module)(nil)
	_ module.Stopper     = (*Module)(nil)
)

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Requires: []string{"users", "auth"},
		Summary: "In-app, real-time and e-mail notifications of intervention events"}
}

// NewInstance gives each app its own, unprovisioned module.
func (m *Module) NewInstance() module.Module { return &Module{} }

// Provision reads the configuration, finds the guard and subscribes to the
// intervention events.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	guard, err := module.Service[httpx.Guard](h.Services, httpx.GuardService)
	if err != nil {
		return err
	}
	t, err := loadTexts()
	if err != nil {
		return err
	}
	m.db, m.cfg, m.dbURL, m.log = h.DB, h.Config.Notifications, h.Config.Database.URL, h.Log
	m.jobs, m.guard, m.services, m.texts = h.Jobs, guard, h.Services, t
	m.hub = newHub()
	h.Events.Subscribe(subscriber, []string{"intervention.*"}, m.handleEvent)
	return nil
}

// Migrations returns the module's migrations.
func (m *Module) Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return sub
}

// Jobs registers the e-mail worker and the periodic checks.
func (m *Module) Jobs(r *jobs.Registry) {
	jobs.AddWorker(r, &emailWorker{m: m})
	jobs.AddWorker(r, &checkWorker{m: m})
	r.AddPeriodic(checkSchedule(m.cfg.CheckInterval))
}

// Start listens for notifications created by other processes (PostgreSQL)
// and ties the open streams to ctx, the server's life: they end when it
// ends.
func (m *Module) Start(ctx context.Context) error {
	m.hub.bind(ctx)
	if db.DialectOf(m.db) != db.Postgres {
		return nil
	}
	t, err := db.Parse(m.dbURL)
	if err != nil {
		return fmt.Errorf("start notification listener: %w", err)
	}
	l, err := events.Listen(ctx, t.DSN, notifyChannel, m.log, m.hub.wakeFromPayload)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.listener = l
	m.mu.Unlock()
	return nil
}

// Stop ends the open streams and the listener.
func (m *Module) Stop(context.Context) error {
	m.hub.close()
	m.mu.Lock()
	l := m.listener
	m.listener = nil
	m.mu.Unlock()
	if l != nil {
		l.Close()
	}
	return nil
}
