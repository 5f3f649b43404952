// Package app is the kernel: it resolves the enabled modules, opens the
// database, runs each module's lifecycle in requirement order and serves the
// HTTP API with its OpenAPI document and documentation pages.
//
// Lifecycle, for every enabled module in requirement order:
//
//	provision → validate → migrate → routes and OpenAPI → start → job workers
//
// and on the way down, job workers first, then the modules in reverse
// order. When a start fails, what already started is stopped before the
// error is returned.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/jobs"
	"github.com/erp-interventions/erp/migrations"
)

// GuardService is the name under which the authentication module publishes
// its httpx.Guard. Without it every protected operation answers 401.
const GuardService = httpx.GuardService

// Options are the kernel's inputs besides the configuration.
type Options struct {
	// Registry holds the modules to choose from; module.Default when nil.
	Registry *module.Registry
	// Logger receives the kernel's and the modules' logs.
	Logger *slog.Logger
	// Version is the build's version, reported by `erp version`.
	Version string
}

// App is one running instance of the product.
type App struct {
	Config   *config.Config
	Log      *slog.Logger
	DB       *bun.DB
	Modules  []module.Module
	Services *module.Services
	// Jobs enqueues and works background jobs; set by Open.
	Jobs *jobs.Client
	// Events is the bus on which modules subscribe to committed events.
	Events *events.Bus

	version string
	api     *httpx.API
	started []module.Module
	// relay moves committed events to delivery jobs while workers run.
	relay *events.Relay
	// riverMigrations applies River's own schema; set by Open.
	riverMigrations *jobs.Migrations
	// workers says whether Start starts the job workers.
	workers bool
}

// New resolves the enabled modules. It touches no database, so commands such
// as `erp openapi export` and `erp modules` can use it alone.
func New(cfg *config.Config, opts Options) (*App, error) {
	reg := opts.Registry
	if reg == nil {
		reg = module.Default
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	mods, err := reg.Resolve(cfg.Modules.Enabled)
	if err != nil {
		return nil, err
	}
	for i, m := range mods {
		if in, ok := m.(module.Instancer); ok {
			mods[i] = in.NewInstance()
		}
	}
	return &App{
		Config:   cfg,
		Log:      log,
		Modules:  mods,
		Services: module.NewServices(),
		Events:   events.NewBus(),
		version:  opts.Version,
		workers:  cfg.Jobs.ServeWorkers,
	}, nil
}

// Open connects to the database, then provisions and validates every module.
// On failure the database is closed again.
func (a *App) Open(ctx context.Context) error {
	database, err := db.Open(ctx, a.Config.Database.URL,
		db.Options{MaxOpenConns: a.Config.Database.MaxOpenConns})
	if err != nil {
		return err
	}
	a.DB = database
	if err := a.openJobs(); err != nil {
		_ = a.DB.Close()
		return err
	}
	if err := a.provision(ctx); err != nil {
		_ = a.Close()
		return err
	}
	return nil
}

func (a *App) provision(ctx context.Context) error {
	for _, m := range a.Modules {
		p, ok := m.(module.Provisioner)
		if !ok {
			continue
		}
		id := m.Info().ID
		host := &module.Host{
			DB:       a.DB,
			Config:   a.Config,
			Log:      a.Log.With(slog.String("module", id)),
			Services: a.Services,
			Jobs:     a.Jobs,
			Events:   a.Events,
		}
		if err := p.Provision(ctx, host); err != nil {
			return fmt.Errorf("module %q: provision: %w", id, err)
		}
	}
	if err := a.Events.Err(); err != nil {
		return fmt.Errorf("event subscriptions: %w", err)
	}
	for _, m := range a.Modules {
		if v, ok := m.(module.Validator); ok {
			if err := v.Validate(); err != nil {
				return fmt.Errorf("module %q: validate: %w", m.Info().ID, err)
			}
		}
	}
	return nil
}

// Migrations returns the runner for the enabled modules' migrations.
func (a *App) Migrations() *migrations.Runner {
	sets := []migrations.Set{
		{Module: KernelModuleID, FS: kernelMigrations()},
		{Module: jobs.MigrationsModule, Delegate: a.riverMigrations},
	}
	for _, m := range a.Modules {
		if mg, ok := m.(module.Migrator); ok {
			sets = append(sets, migrations.Set{Module: m.Info().ID, FS: mg.Migrations()})
		}
	}
	return migrations.NewRunner(a.DB, sets)
}

// API returns the operations of every enabled module, asking each module for
// its routes the first time.
func (a *App) API() *httpx.API {
	if a.api != nil {
		return a.api
	}
	a.api = httpx.NewAPI()
	for _, m := range a.Modules {
		if r, ok := m.(module.Router); ok {
			r.Routes(a.api.ForModule(m.Info().ID))
		}
	}
	return a.api
}

// Start starts every module in order, then the job workers when this
// process works jobs (jobs.serve_workers, or `erp worker`). When a step
// fails, what already started is stopped in reverse order and the start
// error is returned.
func (a *App) Start(ctx context.Context) error {
	if err := a.startModules(ctx); err != nil {
		return err
	}
	if !a.workers {
		return nil
	}
	if err := a.startWorkers(ctx); err != nil {
		return errors.Join(err, a.Stop(context.WithoutCancel(ctx)))
	}
	return nil
}

func (a *App) startModules(ctx context.Context) error {
	for _, m := range a.Modules {
		s, ok := m.(module.Starter)
		if !ok {
			a.started = append(a.started, m)
			continue
		}
		if err := s.Start(ctx); err != nil {
			startErr := fmt.Errorf("module %q: start: %w", m.Info().ID, err)
			return errors.Join(startErr, a.Stop(context.WithoutCancel(ctx)))
		}
		a.started = append(a.started, m)
	}
	return nil
}

// Stop stops the job workers, letting running jobs finish within
// jobs.stop_timeout, then the started modules in reverse order, going on
// past failures and returning them all.
func (a *App) Stop(ctx context.Context) error {
	var errs []error
	if err := a.stopRelay(ctx); err != nil {
		errs = append(errs, err)
	}
	if a.Jobs != nil {
		if err := a.Jobs.StopWorkers(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	for i := len(a.started) - 1; i >= 0; i-- {
		m := a.started[i]
		if s, ok := m.(module.Stopper); ok {
			if err := s.Stop(ctx); err != nil {
				errs = append(errs, fmt.Errorf("module %q: stop: %w", m.Info().ID, err))
			}
		}
	}
	a.started = nil
	return errors.Join(errs...)
}

// Close releases the job client and the database.
func (a *App) Close() error {
	if a.DB == nil {
		return nil
	}
	var jobsErr error
	if a.Jobs != nil {
		jobsErr = a.Jobs.Close(context.Background())
	}
	return errors.Join(jobsErr, a.DB.Close())
}

// Version returns the build's version.
func (a *App) Version() string { return a.version }
