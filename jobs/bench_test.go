package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/jobs"
)

type noopArgs struct{}

func (noopArgs) Kind() string { return "bench_noop" }

type noopWorker struct {
	river.WorkerDefaults[noopArgs]
}

func (noopWorker) Work(context.Context, *river.Job[noopArgs]) error { return nil }

// BenchmarkNoopJobs measures how many no-op jobs one process works per
// second, from the first fetch to the last completion, with the default
// configuration and 10 (the default), 100 or 1000 workers. Jobs are enqueued before
// the clock starts. River fetches at most once per 100 ms cooldown, up to the
// free workers, so the worker count bounds the rate as much as the database.
func BenchmarkNoopJobs(b *testing.B) {
	for _, workers := range []string{"10", "100", "1000"} {
		b.Run("SQLite/workers="+workers, func(b *testing.B) {
			benchNoop(b, dbtest.SQLite(b), workers)
		})
		b.Run("PostgreSQL/workers="+workers, func(b *testing.B) {
			benchNoop(b, dbtest.Postgres(b), workers)
		})
	}
}

func benchNoop(b *testing.B, target dbtest.Target, workers string) {
	migrated(b, target)
	cfg := config.Default().Jobs
	cfg.Queues = []string{"default:" + workers}
	c := newClient(b, target, cfg)
	ctx := context.Background()
	err := target.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for range b.N {
			if _, err := c.InsertTx(ctx, tx, noopArgs{}, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	reg := jobs.NewRegistry()
	jobs.AddWorker(reg, river.Worker[noopArgs](noopWorker{}))

	b.ResetTimer()
	begin := time.Now()
	if err := c.StartWorkers(ctx, reg); err != nil {
		b.Fatal(err)
	}
	waitCompleted(b, target.DB, b.N)
	elapsed := time.Since(begin)
	b.StopTimer()

	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
	_ = c.StopWorkers(ctx)
}

// waitCompleted polls until n jobs are completed.
func waitCompleted(b *testing.B, database *bun.DB, n int) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		done, err := database.NewSelect().Table("river_job").
			Where("state = ?", "completed").Count(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if done >= int64(n) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Fatalf("%d jobs not completed within 2 minutes", n)
}
