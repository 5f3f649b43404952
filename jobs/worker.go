package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/erp-interventions/erp/core/db"
)

// runner is what StopWorkers needs of a River client, whatever its driver.
type runner interface {
	Start(ctx context.Context) error
	Stop(ctx context.Context) error
	StopAndCancel(ctx context.Context) error
}

// workerSide is a started River client and the pool it owns.
type workerSide struct {
	client runner
	close  func()
}

// ErrWorkersStarted is returned by StartWorkers on a client whose workers
// already run.
var ErrWorkersStarted = errors.New("job workers already started")

// StartWorkers starts working the configured queues with the workers and
// periodic jobs of reg. With no worker registered it starts nothing. The
// workers keep running when ctx ends: stop them with StopWorkers, so that
// running jobs get jobs.stop_timeout to finish.
func (c *Client) StartWorkers(ctx context.Context, reg *Registry) error {
	if err := reg.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.workers != nil {
		return ErrWorkersStarted
	}
	if reg.empty() {
		c.log.InfoContext(ctx, "no module registers job workers; none started")
		return nil
	}

	side, err := c.newWorkerSide(ctx, c.workerConfig(reg))
	if err != nil {
		return err
	}
	if err := side.client.Start(context.WithoutCancel(ctx)); err != nil {
		side.close()
		return fmt.Errorf("start job workers: %w", err)
	}
	c.workers = side
	c.log.InfoContext(ctx, "job workers started", slog.Any("queues", c.queues),
		slog.Any("kinds", reg.Kinds()))
	return nil
}

// workerConfig adds to the shared settings what only the worker side has.
// FetchOnlyKnownKinds leaves the jobs of a kind no enabled module works
// (a module disabled here) waiting instead of failing them.
//
// Limitation: River's stuck-job rescuer, run by the elected leader, still
// discards a stuck job (running past River's one-hour rescue delay) whose
// kind the leader does not know. Processes that share a database should
// enable the same modules.
func (c *Client) workerConfig(reg *Registry) *river.Config {
	cfg := c.baseConfig()
	cfg.Workers, cfg.PeriodicJobs = reg.parts()
	cfg.Queues = make(map[string]river.QueueConfig, len(c.queues))
	for name, n := range c.queues {
		cfg.Queues[name] = river.QueueConfig{MaxWorkers: n}
	}
	cfg.FetchPollInterval = c.cfg.PollInterval
	cfg.FetchCooldown = min(100*time.Millisecond, c.cfg.PollInterval)
	cfg.FetchOnlyKnownKinds = true
	return cfg
}

// newWorkerSide builds the worker client on connections of its own.
func (c *Client) newWorkerSide(ctx context.Context, cfg *river.Config) (*workerSide, error) {
	if c.target.Dialect == db.SQLite {
		return c.newSQLiteSide(cfg)
	}
	pool, err := pgxpool.New(ctx, c.target.DSN)
	if err != nil {
		return nil, fmt.Errorf("open job workers' PostgreSQL pool: %w", err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), cfg)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("create River worker client: %w", err)
	}
	return &workerSide{client: client, close: pool.Close}, nil
}

// newSQLiteSide gives River one connection of its own, as its SQLite
// driver asks, with the same settings as bun's (WAL, busy timeout,
// BEGIN IMMEDIATE), so River and the API take turns on the write lock
// instead of failing with "database is locked".
func (c *Client) newSQLiteSide(cfg *river.Config) (*workerSide, error) {
	pool, closePool := c.db.DB, func() {}
	if c.target.Path != ":memory:" {
		p, err := sql.Open("sqlite", c.target.DSN)
		if err != nil {
			return nil, fmt.Errorf("open job workers' SQLite connection: %w", err)
		}
		p.SetMaxOpenConns(1)
		p.SetConnMaxLifetime(0)
		pool, closePool = p, func() { _ = p.Close() }
	}
	// Limitation: an in-memory database exists only on bun's one
	// connection, so River shares it there; a job that holds a transaction
	// and enqueues outside it would wait for itself. Tests use files.
	client, err := river.NewClient(riversqlite.New(pool), cfg)
	if err != nil {
		closePool()
		return nil, fmt.Errorf("create River worker client: %w", err)
	}
	return &workerSide{client: client, close: closePool}, nil
}

// StopWorkers stops fetching jobs and lets running ones finish within
// jobs.stop_timeout (or ctx's deadline, when sooner); then it cancels their
// contexts and waits a few seconds more for them to return. It does nothing
// when the workers are not running.
func (c *Client) StopWorkers(ctx context.Context) error {
	c.mu.Lock()
	side := c.workers
	c.workers = nil
	c.mu.Unlock()
	if side == nil {
		return nil
	}

	start := time.Now()
	soft, cancel := context.WithTimeout(ctx, c.cfg.StopTimeout)
	err := side.client.Stop(soft)
	cancel()
	if err == nil {
		side.close()
		c.log.InfoContext(ctx, "job workers stopped",
			slog.Duration("took", time.Since(start)))
		return nil
	}

	c.log.WarnContext(ctx, "jobs still running at the end of the stop timeout; "+
		"cancelling them", slog.Duration("stop_timeout", c.cfg.StopTimeout))
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), stopGrace)
	defer cancel()
	if err := side.client.StopAndCancel(hard); err != nil {
		// Limitation: a job that ignores its context's cancellation keeps
		// running, and the pool it may use stays open until the process ends.
		return fmt.Errorf("stop job workers: jobs ignored cancellation for %s: %w",
			stopGrace, err)
	}
	side.close()
	c.log.InfoContext(ctx, "job workers stopped after cancelling running jobs",
		slog.Duration("took", time.Since(start)))
	return nil
}
