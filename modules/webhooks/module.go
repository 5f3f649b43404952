// Package webhooks is the webhooks module (the contract's notifications
// tag): integrators subscribe a URL to domain events and receive each
// committed event as a signed JSON POST.
//
// The module subscribes to every event on the kernel's bus. For each event
// and each active subscription that selects it, it writes a delivery row
// and enqueues one delivery job in a single transaction; the job POSTs the
// body, records each attempt, and is retried with exponential back-off until
// the receiver answers 2xx or webhooks.max_attempts is reached. Receivers
// verify the X-ERP-Signature header (see Sign) and recognise repeats by the
// event id, which a retry or a replay never changes.
//
// Unless webhooks.allow_private_addresses is on, a webhook never reaches the
// local machine or an internal network: literal addresses are refused when a
// subscription is saved, every dialled address is checked after DNS
// resolution, and redirects are not followed.
package webhooks

import (
	"context"
	"embed"
	"io/fs"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/jobs"
)

// ID is the module's ID.
const ID = "webhooks"

// SubscriberName is the module's stable name on the event bus.
const SubscriberName = "webhooks"

//go:embed migrations/*.sql
var migrationFiles embed.FS

func init() { module.Register(&Module{}) }

// Module is the webhooks module.
type Module struct {
	db     *bun.DB
	jobs   *jobs.Client
	cfg    config.Webhooks
	rules  urlRules
	log    *slog.Logger
	sender *sender
}

var (
	_ module.Provisioner = (*Module)(nil)
	_ module.Instancer   = (*Module)(nil)
	_ module.Migrator    = (*Module)(nil)
	_ module.Router      = (*Module)(nil)
	_ module.Worker      = (*Module)(nil)
	_ module.Stopper     = (*Module)(nil)
)

// Info describes the module.
func (m *Module) Info() module.Info {
	return module.Info{ID: ID, Requires: []string{"auth"},
		Summary: "Signed webhooks for integrators, with retries and a delivery log"}
}

// NewInstance returns a fresh, unprovisioned module, so that each app in a
// process (parallel tests) keeps its own database, client and settings.
func (m *Module) NewInstance() module.Module { return &Module{} }

// Provision keeps what the module needs and subscribes to every event.
func (m *Module) Provision(_ context.Context, h *module.Host) error {
	m.db, m.jobs, m.cfg, m.log = h.DB, h.Jobs, h.Config.Webhooks, h.Log
	m.rules = urlRules{httpsOnly: h.Config.IsProd(),
		allowPrivate: h.Config.Webhooks.AllowPrivateAddresses}
	m.sender = newSender(m.cfg, m.rules)
	h.Events.Subscribe(SubscriberName, []string{"*"}, m.onEvent)
	return nil
}

// Migrations returns the module's migrations.
func (m *Module) Migrations() fs.FS {
	sub, _ := fs.Sub(migrationFiles, "migrations")
	return sub
}

// Jobs registers the delivery worker.
func (m *Module) Jobs(r *jobs.Registry) {
	jobs.AddWorker(r, &deliveryWorker{m: m})
}

// Stop closes the idle connections to receivers.
func (m *Module) Stop(context.Context) error {
	if m.sender != nil {
		m.sender.client.CloseIdleConnections()
	}
	return nil
}
