package events

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/jobs"
)

// DefaultRelayInterval is how often the relay looks at the outbox when
// nothing woke it.
const DefaultRelayInterval = 200 * time.Millisecond

// relayBatch is the most outbox rows one relay transaction moves.
const relayBatch = 200

// RelayOptions configure a Relay.
type RelayOptions struct {
	// DatabaseURL is the URL db was opened with; on PostgreSQL the relay
	// listens on OutboxChannel through its own connection.
	DatabaseURL string
	// Interval between looks at the outbox; DefaultRelayInterval when zero.
	Interval time.Duration
	// Log receives the relay's problems.
	Log *slog.Logger
}

// Relay moves committed events from the outbox to delivery jobs: for each
// unpublished row, in id order, one job per matching subscriber, inserted
// in the same transaction that marks the row published. A row is thus
// either still pending or published with all its jobs, and every committed
// event reaches each subscriber at least once. On PostgreSQL, rows are
// locked with SKIP LOCKED, so several processes may relay at once.
//
// Limitation: published rows stay in the outbox; nothing prunes them yet.
// An event with no subscriber at relay time is marked published all the
// same, so a module enabled later never sees it. On SQLite nothing wakes
// the relay, so an event waits up to Interval before it is relayed.
type Relay struct {
	bus      *Bus
	db       *bun.DB
	jobs     *jobs.Client
	opts     RelayOptions
	log      *slog.Logger
	wake     chan struct{}
	cancel   context.CancelFunc
	done     chan struct{}
	listener *Listener
}

// NewRelay returns a relay of db's outbox to the subscribers of bus,
// enqueuing through client. It starts nothing.
func NewRelay(bus *Bus, database *bun.DB, client *jobs.Client, opts RelayOptions) *Relay {
	if opts.Interval <= 0 {
		opts.Interval = DefaultRelayInterval
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	return &Relay{bus: bus, db: database, jobs: client, opts: opts,
		log: log.With(slog.String("component", "events")), wake: make(chan struct{}, 1)}
}

// Start runs the relay in the background until Stop. On PostgreSQL it first
// listens for new outbox rows.
func (r *Relay) Start(ctx context.Context) error {
	if db.DialectOf(r.db) == db.Postgres {
		t, err := db.Parse(r.opts.DatabaseURL)
		if err != nil {
			return fmt.Errorf("start event relay: %w", err)
		}
		r.listener, err = Listen(ctx, t.DSN, OutboxChannel, r.log, func(string) { r.Wake() })
		if err != nil {
			return fmt.Errorf("start event relay: %w", err)
		}
	}
	ctx, r.cancel = context.WithCancel(context.WithoutCancel(ctx))
	r.done = make(chan struct{})
	go r.loop(ctx)
	return nil
}

// Wake makes the relay look at the outbox now.
func (r *Relay) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Stop ends the relay, waiting for a transaction in progress, within ctx.
func (r *Relay) Stop(ctx context.Context) error {
	if r.cancel == nil {
		return nil
	}
	r.cancel()
	if r.listener != nil {
		r.listener.Close()
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop event relay: %w", ctx.Err())
	}
}

func (r *Relay) loop(ctx context.Context) {
	defer close(r.done)
	timer := time.NewTimer(0)
	defer timer.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-r.wake:
		}
		n, err := r.RelayOnce(ctx)
		failing = r.report(err, failing)
		next := r.opts.Interval
		if n == relayBatch {
			next = 0
		}
		timer.Reset(next)
	}
}

// report logs the first failure of a series and the recovery, rather than
// every failed turn.
func (r *Relay) report(err error, failing bool) bool {
	switch {
	case err != nil && errors.Is(err, context.Canceled):
		return failing
	case err != nil && !failing:
		r.log.Error("event relay failed; retrying", slog.Any("error", err))
		return true
	case err == nil && failing:
		r.log.Info("event relay recovered")
		return false
	}
	return failing
}

// RelayOnce moves up to one batch of pending events to delivery jobs and
// returns how many rows it published.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	pending, err := r.pending(ctx)
	if err != nil || !pending {
		return 0, err
	}
	n := 0
	err = r.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		rows, err := r.take(ctx, tx)
		if err != nil {
			return err
		}
		n = len(rows)
		return r.publish(ctx, tx, rows)
	})
	if err != nil {
		return 0, fmt.Errorf("relay events: %w", err)
	}
	return n, nil
}

// pending is a cheap read that spares SQLite a write transaction (which
// takes the database's write lock) when there is nothing to relay.
func (r *Relay) pending(ctx context.Context) (bool, error) {
	ok, err := r.db.NewSelect().Model((*Row)(nil)).Where("published_at IS NULL").Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("look for pending events: %w", err)
	}
	return ok, nil
}

func (r *Relay) take(ctx context.Context, tx bun.Tx) ([]Row, error) {
	var rows []Row
	q := tx.NewSelect().Model(&rows).Where("published_at IS NULL").Order("id").
		Limit(relayBatch)
	if db.DialectOf(tx) == db.Postgres {
		q = q.For("UPDATE SKIP LOCKED")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("read pending events: %w", err)
	}
	return rows, nil
}

// publish enqueues the rows' delivery jobs and marks the rows published.
func (r *Relay) publish(ctx context.Context, tx bun.Tx, rows []Row) error {
	if len(rows) == 0 {
		return nil
	}
	var params []river.InsertManyParams
	ids := make([]int64, len(rows))
	for i, row := range rows {
		ids[i] = row.Seq
		for _, name := range r.bus.Subscribers(row.Type) {
			params = append(params, river.InsertManyParams{
				Args: DeliveryArgs{Subscriber: name, EventID: row.EventID}})
		}
	}
	if _, err := r.jobs.InsertManyTx(ctx, tx, params); err != nil {
		return err
	}
	_, err := tx.NewUpdate().Model((*Row)(nil)).Set("published_at = ?", time.Now().UTC()).
		Where("id IN (?)", bun.In(ids)).Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark events published: %w", err)
	}
	return nil
}
