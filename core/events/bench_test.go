package events_test

import (
	"context"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/module"
)

// countingModule counts the events its one subscriber is handed.
type countingModule struct{ n *atomic.Int64 }

func (m countingModule) Info() module.Info { return module.Info{ID: "counter"} }

func (m countingModule) Provision(_ context.Context, h *module.Host) error {
	h.Events.Subscribe("counter", []string{"*"}, func(context.Context, events.Delivered) error {
		m.n.Add(1)
		return nil
	})
	return nil
}

// BenchmarkRelay records b.N events in one transaction and measures, per
// database, how fast the relay publishes them (published/s) and how fast a
// no-op subscriber receives them (delivered/s) with 1000 workers.
//
//	scripts/with-pgtest.sh go test -run '^$' -bench Relay -benchtime 2000x ./core/events/
func BenchmarkRelay(b *testing.B) {
	for _, target := range []func(testing.TB) dbtest.Target{dbtest.SQLite, dbtest.Postgres} {
		tg := target(b)
		b.Run(tg.Name, func(b *testing.B) { benchRelay(b, tg) })
	}
}

func benchRelay(b *testing.B, target dbtest.Target) {
	var n atomic.Int64
	reg := module.NewRegistry()
	reg.MustAdd(countingModule{n: &n})
	s := apptest.Start(b, apptest.Options{Registry: reg, DatabaseURL: target.URL,
		Overrides: map[string]any{"jobs.queues": []string{"default:1000"},
			"jobs.poll_interval": "50ms"}})
	ctx := context.Background()

	b.ResetTimer()
	start := time.Now()
	err := s.App.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := range b.N {
			if err := events.Record(ctx, tx, events.Event{Type: "x.done", Resource: "x",
				ResourceID: strconv.Itoa(i)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	published := waitUntil(b, func() bool {
		left, err := s.App.DB.NewSelect().Model((*events.Row)(nil)).
			Where("published_at IS NULL").Count(ctx)
		return err == nil && left == 0
	}, start)
	delivered := waitUntil(b, func() bool { return n.Load() >= int64(b.N) }, start)
	b.ReportMetric(float64(b.N)/published.Seconds(), "published/s")
	b.ReportMetric(float64(b.N)/delivered.Seconds(), "delivered/s")
}

func waitUntil(b *testing.B, cond func() bool, start time.Time) time.Duration {
	for !cond() {
		if time.Since(start) > 2*time.Minute {
			b.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}
