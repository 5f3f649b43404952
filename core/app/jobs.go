package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/jobs"
)

// openJobs creates the job client and River's migrations on the open
// database. Neither touches a table yet.
func (a *App) openJobs() error {
	client, err := jobs.New(a.DB, a.Config.Database.URL, a.Config.Jobs, a.Log)
	if err != nil {
		return err
	}
	mig, err := jobs.NewMigrations(a.DB, a.Log)
	if err != nil {
		return err
	}
	a.Jobs, a.riverMigrations = client, mig
	return nil
}

// JobRegistry asks every enabled module that has workers for them. A
// disabled module is never asked, so its workers do not exist here. When a
// module subscribed to events, the kernel adds the event delivery worker.
func (a *App) JobRegistry() (*jobs.Registry, error) {
	reg := jobs.NewRegistry()
	if !a.Events.Empty() {
		events.AddDeliveryWorker(reg.ForModule(KernelModuleID), a.Events, a.DB)
	}
	for _, m := range a.Modules {
		if w, ok := m.(module.Worker); ok {
			w.Jobs(reg.ForModule(m.Info().ID))
		}
	}
	return reg, reg.Err()
}

// ErrRiverNotMigrated is returned when job workers should start on a
// database that lacks River's tables.
var ErrRiverNotMigrated = errors.New("River's tables are not migrated; run `erp migrate up` " +
	"or turn database.auto_migrate on")

// startWorkers starts the job workers of the enabled modules.
func (a *App) startWorkers(ctx context.Context) error {
	reg, err := a.JobRegistry()
	if err != nil {
		return err
	}
	if len(reg.Kinds()) > 0 {
		pending, err := a.riverMigrations.Pending(ctx)
		if err != nil {
			return err
		}
		if pending > 0 {
			return ErrRiverNotMigrated
		}
	}
	if err := a.Jobs.StartWorkers(ctx, reg); err != nil {
		return err
	}
	return a.startRelay(ctx)
}

// startRelay starts moving committed events to delivery jobs, in the
// processes that work jobs, when some module subscribed to events.
func (a *App) startRelay(ctx context.Context) error {
	if a.Events.Empty() {
		return nil
	}
	relay := events.NewRelay(a.Events, a.DB, a.Jobs, events.RelayOptions{
		DatabaseURL: a.Config.Database.URL, Log: a.Log})
	if err := relay.Start(ctx); err != nil {
		return err
	}
	a.relay = relay
	return nil
}

// stopRelay stops the relay, if it runs, before the workers stop.
func (a *App) stopRelay(ctx context.Context) error {
	relay := a.relay
	a.relay = nil
	if relay == nil {
		return nil
	}
	return relay.Stop(ctx)
}

// RunWorkers is what `erp worker` does once the app is open: migrate when
// auto_migrate is on, start the modules and the job workers, serve no HTTP,
// and on ctx's end stop gracefully, letting running jobs finish within
// jobs.stop_timeout.
func (a *App) RunWorkers(ctx context.Context) error {
	if err := a.autoMigrate(ctx); err != nil {
		return err
	}
	a.workers = true
	if err := a.Start(ctx); err != nil {
		return err
	}
	a.Log.Info("working jobs; no HTTP in this process",
		slog.String("component", "jobs"), slog.Any("queues", a.Config.Jobs.Queues))
	<-ctx.Done()
	a.Log.Info("shutting down", slog.Duration("grace", a.Config.Jobs.StopTimeout))
	stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.stopTimeout())
	defer cancel()
	return a.Stop(stopCtx)
}

// stopTimeout bounds Stop: the modules' share (http.shutdown_timeout) or
// the jobs' share plus time to cancel the stragglers, whichever is longer.
func (a *App) stopTimeout() time.Duration {
	return max(a.Config.HTTP.ShutdownTimeout, a.Config.Jobs.StopTimeout+10*time.Second)
}

// autoMigrate applies pending migrations when database.auto_migrate is on.
func (a *App) autoMigrate(ctx context.Context) error {
	if !a.Config.Database.AutoMigrate {
		return nil
	}
	applied, err := a.Migrations().Up(ctx)
	if err != nil {
		return fmt.Errorf("auto-migrate: %w", err)
	}
	if len(applied) > 0 {
		a.Log.Info("applied migrations", slog.Int("count", len(applied)))
	}
	return nil
}
