package jobs_test

import (
	"context"
	"testing"

	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/jobs"
	"github.com/erp-interventions/erp/migrations"
)

func TestRiverMigrationsRunThroughTheRunner(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		ctx := context.Background()
		m, err := jobs.NewMigrations(target.DB, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		r := migrations.NewRunner(target.DB,
			[]migrations.Set{{Module: jobs.MigrationsModule, Delegate: m}})

		total, err := r.Pending(ctx)
		if err != nil || total < 5 {
			t.Fatalf("pending before up = %d, %v; want River's migrations", total, err)
		}
		applied, err := r.Up(ctx)
		if err != nil || len(applied) != total || applied[0].Module != "river" {
			t.Fatalf("up applied %v, %v", applied, err)
		}
		if n, err := r.Pending(ctx); err != nil || n != 0 {
			t.Fatalf("pending after up = %d, %v", n, err)
		}
		st, err := r.Status(ctx)
		if err != nil || len(st) != total || !st[0].Applied || st[0].AppliedAt.IsZero() {
			t.Fatalf("status after up = %+v, %v", st, err)
		}

		down, err := r.Down(ctx)
		if err != nil || len(down) != 1 || down[0].Name != applied[len(applied)-1].Name {
			t.Fatalf("down rolled back %v, %v; want the last migration", down, err)
		}
		if n, _ := r.Pending(ctx); n != 1 {
			t.Fatalf("pending after one step down = %d, want 1", n)
		}
	})
}
