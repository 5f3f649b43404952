// Package jobs is the background-job runtime of ERP Interventions, built on
// River. Jobs live in the product's own database: SQLite by default,
// PostgreSQL in production.
//
// A Client has two sides. Its enqueue side works over the same *sql.DB as
// bun, so a module inserts a job inside the transaction of the write that
// causes it (InsertTx): when the write rolls back, the job never existed;
// when it commits, the job is durable before the process can die. Its
// worker side (StartWorkers) runs the workers that the enabled modules put in
// a Registry, on its own connections: one dedicated SQLite connection, as
// River advises for SQLite, or a pgx pool on PostgreSQL.
//
// River keeps its tables under its own migration history; Migrations plugs
// them into `erp migrate`.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/db"
)

// ErrNotFound is returned for a job id that does not exist.
var ErrNotFound = errors.New("job not found")

// Client enqueues, lists and retries jobs, and runs the workers.
type Client struct {
	target db.Target
	cfg    config.Jobs
	queues map[string]int
	log    *slog.Logger
	db     *bun.DB
	// admin works over bun's *sql.DB: inserts, listing, retries, the UI.
	admin *river.Client[*sql.Tx]

	mu      sync.Mutex
	workers *workerSide
	ui      *uiHandler
}

// New returns a client for the database that database was opened on (raw
// is its URL, as given to db.Open). It starts nothing and touches no table.
func New(database *bun.DB, raw string, cfg config.Jobs, log *slog.Logger) (*Client, error) {
	target, err := db.Parse(raw)
	if err != nil {
		return nil, err
	}
	queues, err := config.ParseQueues(cfg.Queues)
	if err != nil {
		return nil, fmt.Errorf("jobs.queues: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	c := &Client{target: target, cfg: cfg, queues: queues, db: database,
		log: log.With(slog.String("component", "jobs"))}

	c.admin, err = river.NewClient(sqlDriver(target.Dialect, database.DB), c.baseConfig())
	if err != nil {
		return nil, fmt.Errorf("create River client: %w", err)
	}
	return c, nil
}

// sqlDriver returns River's driver for a database/sql pool of dialect.
func sqlDriver(dialect string, pool *sql.DB) riverdriver.Driver[*sql.Tx] {
	if dialect == db.SQLite {
		return riversqlite.New(pool)
	}
	return riverdatabasesql.New(pool)
}

// baseConfig is what both sides share: attempts, timeouts, retention.
func (c *Client) baseConfig() *river.Config {
	return &river.Config{
		Logger:                      c.log,
		MaxAttempts:                 c.cfg.MaxAttempts,
		JobTimeout:                  c.cfg.JobTimeout,
		CompletedJobRetentionPeriod: c.cfg.CompletedRetention,
		CancelledJobRetentionPeriod: c.cfg.CompletedRetention,
		DiscardedJobRetentionPeriod: c.cfg.DiscardedRetention,
	}
}

// Dialect returns db.SQLite or db.Postgres.
func (c *Client) Dialect() string { return c.target.Dialect }

// InsertTx enqueues a job inside tx, the transaction of the write that
// causes it. The job becomes visible to workers when tx commits and
// vanishes if it rolls back. opts may be nil.
func (c *Client) InsertTx(ctx context.Context, tx bun.Tx, args river.JobArgs,
	opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := c.admin.InsertTx(ctx, tx.Tx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("enqueue %s job: %w", args.Kind(), err)
	}
	return res, nil
}

// InsertManyTx enqueues several jobs inside tx in one statement, with the
// same all-or-nothing guarantee as InsertTx.
func (c *Client) InsertManyTx(ctx context.Context, tx bun.Tx,
	params []river.InsertManyParams) ([]*rivertype.JobInsertResult, error) {
	if len(params) == 0 {
		return nil, nil
	}
	res, err := c.admin.InsertManyTx(ctx, tx.Tx, params)
	if err != nil {
		return nil, fmt.Errorf("enqueue %d jobs: %w", len(params), err)
	}
	return res, nil
}

// Insert enqueues a job on its own, outside any transaction. Prefer
// InsertTx when the job follows from a write.
func (c *Client) Insert(ctx context.Context, args river.JobArgs,
	opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	res, err := c.admin.Insert(ctx, args, opts)
	if err != nil {
		return nil, fmt.Errorf("enqueue %s job: %w", args.Kind(), err)
	}
	return res, nil
}

// Get returns the job with id, or ErrNotFound.
func (c *Client) Get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	job, err := c.admin.JobGet(ctx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get job %d: %w", id, err)
	}
	return job, nil
}

// List returns up to limit jobs, newest first, in any of states (every
// state when none is given).
func (c *Client) List(ctx context.Context, limit int,
	states ...rivertype.JobState) ([]*rivertype.JobRow, error) {
	params := river.NewJobListParams().First(limit).
		OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if len(states) == 0 {
		states = rivertype.JobStates()
	}
	params = params.States(states...)
	res, err := c.admin.JobList(ctx, params)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	return res.Jobs, nil
}

// Retry makes a job available to run again at once. A discarded job that
// used all its attempts is given one more; a running job is left alone.
func (c *Client) Retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	job, err := c.admin.JobRetry(ctx, id)
	if errors.Is(err, rivertype.ErrNotFound) {
		return nil, fmt.Errorf("job %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("retry job %d: %w", id, err)
	}
	c.log.InfoContext(ctx, "job retried", slog.Int64("job_id", id),
		slog.String("kind", job.Kind), slog.String("state", string(job.State)))
	return job, nil
}

// Close stops the workers (see StopWorkers) and the UI's background work.
// The bun database stays open: it belongs to the caller.
func (c *Client) Close(ctx context.Context) error {
	err := c.StopWorkers(ctx)
	c.mu.Lock()
	ui := c.ui
	c.ui = nil
	c.mu.Unlock()
	if ui != nil {
		ui.cancel()
	}
	return err
}

// stopGrace is how long StopWorkers waits, after cancelling the jobs still
// running at the end of jobs.stop_timeout, for them to return.
const stopGrace = 5 * time.Second
