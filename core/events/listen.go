package events

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// OutboxChannel is the PostgreSQL channel on which a trigger announces new
// outbox rows at commit, so that relays wake at once instead of at their
// next poll.
const OutboxChannel = "erp_events"

// Notify sends payload on a PostgreSQL channel through db. Inside a
// transaction the notification is delivered only if it commits. It does
// nothing on SQLite, which has no such mechanism.
func Notify(ctx context.Context, db bun.IDB, channel, payload string) error {
	if db.Dialect().Name().String() != "pg" {
		return nil
	}
	if _, err := db.ExecContext(ctx, "SELECT pg_notify(?, ?)", channel, payload); err != nil {
		return fmt.Errorf("notify %s: %w", channel, err)
	}
	return nil
}

// Listener holds a PostgreSQL connection that listens on one channel and
// reconnects after a failure.
type Listener struct {
	cancel context.CancelFunc
	done   chan struct{}
}

// listenRetry bounds the wait between reconnection attempts.
const (
	listenRetryMin = 500 * time.Millisecond
	listenRetryMax = 30 * time.Second
)

// Listen connects to the PostgreSQL database of dsn, listens on channel and
// calls fn with the payload of each notification, from one goroutine. It
// returns once the first LISTEN is in place, so a notification sent after
// Listen returns is not missed. After a reconnection fn is called with an
// empty payload, since notifications sent meanwhile were lost; consumers
// should treat it as "look again".
func Listen(ctx context.Context, dsn, channel string, log *slog.Logger,
	fn func(payload string)) (*Listener, error) {
	conn, err := listenConn(ctx, dsn, channel)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l := &Listener{cancel: cancel, done: make(chan struct{})}
	go l.run(ctx, conn, dsn, channel, log, fn)
	return l, nil
}

func listenConn(ctx context.Context, dsn, channel string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: connect: %w", channel, err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
		_ = conn.Close(ctx)
		return nil, fmt.Errorf("listen on %s: %w", channel, err)
	}
	return conn, nil
}

func (l *Listener) run(ctx context.Context, conn *pgx.Conn, dsn, channel string,
	log *slog.Logger, fn func(string)) {
	defer close(l.done)
	wait := listenRetryMin
	for {
		err := receive(ctx, conn, fn)
		_ = conn.Close(context.Background())
		if ctx.Err() != nil {
			return
		}
		log.Warn("notification listener lost its connection; reconnecting",
			slog.String("channel", channel), slog.Any("error", err))
		for conn = nil; conn == nil; {
			select {
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			wait = min(2*wait, listenRetryMax)
			conn, _ = listenConn(ctx, dsn, channel)
		}
		wait = listenRetryMin
		fn("")
	}
}

// receive passes notifications to fn until the connection or ctx fails.
func receive(ctx context.Context, conn *pgx.Conn, fn func(string)) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		fn(n.Payload)
	}
}

// Close stops listening and waits for the listener's goroutine to end.
func (l *Listener) Close() {
	l.cancel()
	<-l.done
}
