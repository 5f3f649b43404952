package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/jobs"
)

// TestMain doubles as the child process of the kill test: with childEnv set
// it enqueues one job, says so, and waits to be killed.
func TestMain(m *testing.M) {
	if url := os.Getenv(childEnv); url != "" {
		os.Exit(runChild(url))
	}
	os.Exit(m.Run())
}

// quietLog drops logs; River is chatty at info level.
func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testConfig is the default jobs configuration, made fast for tests.
func testConfig(change func(*config.Jobs)) config.Jobs {
	c := config.Default().Jobs
	c.PollInterval = 50 * time.Millisecond
	c.StopTimeout = 5 * time.Second
	if change != nil {
		change(&c)
	}
	return c
}

// migrated applies River's migrations to a test database.
func migrated(t testing.TB, target dbtest.Target) {
	t.Helper()
	m, err := jobs.NewMigrations(target.DB, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("River migrations: %v", err)
	}
}

// newClient returns a job client on target, closed when the test ends.
func newClient(t testing.TB, target dbtest.Target, cfg config.Jobs) *jobs.Client {
	t.Helper()
	c, err := jobs.New(target.DB, target.URL, cfg, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// waitState polls job id until it reaches state, failing after 15 s.
func waitState(t testing.TB, c *jobs.Client, id int64,
	state rivertype.JobState) *rivertype.JobRow {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		job, err := c.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == state {
			return job
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s after 15s, want %s (errors %v)", id, job.State, state,
				job.Errors)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// insertInTx enqueues args in a bun transaction that commits when commit
// is true and rolls back otherwise. It returns the job's id.
func insertInTx(t testing.TB, database *bun.DB, c *jobs.Client, args river.JobArgs,
	opts *river.InsertOpts, commit bool) int64 {
	t.Helper()
	var id int64
	errRollback := fmt.Errorf("roll back on purpose")
	err := database.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		res, err := c.InsertTx(ctx, tx, args, opts)
		if err != nil {
			return err
		}
		id = res.Job.ID
		if !commit {
			return errRollback
		}
		return nil
	})
	if commit && err != nil {
		t.Fatalf("insert in transaction: %v", err)
	}
	return id
}

// openTarget opens the database at url as dbtest would, for the child.
func openTarget(url string) (dbtest.Target, error) {
	d, err := db.Open(context.Background(), url, db.Options{})
	if err != nil {
		return dbtest.Target{}, err
	}
	return dbtest.Target{Name: "child", URL: url, DB: d}, nil
}

// childT lets the child process reuse test helpers: a failure exits.
type childT struct{ testing.TB }

func (*childT) Helper() {}

func (*childT) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(2)
}
