package webhooks_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/events"
)

// BenchmarkDeliveries measures webhook deliveries per second to a local
// receiver through the whole chain: committed event, relay, event
// delivery job, webhook delivery job, signed POST and delivery log. It
// runs only with -bench; bound it with -benchtime, e.g.
//
//	go test -run '^$' -bench Deliveries -benchtime 1000x ./modules/webhooks/
func BenchmarkDeliveries(b *testing.B) {
	for _, workers := range []int{10, 100} {
		b.Run(fmt.Sprintf("SQLite/workers=%d", workers), func(b *testing.B) {
			benchDeliveries(b, dbtest.SQLite(b), workers)
		})
		b.Run(fmt.Sprintf("PostgreSQL/workers=%d", workers), func(b *testing.B) {
			benchDeliveries(b, dbtest.Postgres(b), workers)
		})
	}
}

func benchDeliveries(b *testing.B, target dbtest.Target, workers int) {
	w := start(b, target, coreModules, fast(map[string]any{
		"jobs.queues": []string{fmt.Sprintf("default:%d", workers)}}))
	var got atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got.Add(1)
		rw.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	w.subscribe(b, map[string]any{"url": srv.URL, "types_evenements": []string{"*"}})

	b.ResetTimer()
	began := time.Now()
	recordMany(b, w, b.N)
	deadline := began.Add(5 * time.Minute)
	for got.Load() < int64(b.N) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d deliveries after 5 minutes", got.Load(), b.N)
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(began).Seconds(), "deliveries/s")
}

// recordMany commits n events, 100 per transaction.
func recordMany(b *testing.B, w *world, n int) {
	ctx := context.Background()
	for done := 0; done < n; {
		batch := min(100, n-done)
		err := w.s.App.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			for range batch {
				err := events.Record(ctx, tx, events.Event{Type: "intervention.updated",
					Resource: "intervention", ResourceID: "1", Payload: map[string]any{}})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		done += batch
	}
}
