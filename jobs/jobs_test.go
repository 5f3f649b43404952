package jobs_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/jobs"
)

// echoArgs is a job that records its runs in a counter of the test.
type echoArgs struct {
	Message string `json:"message"`
}

func (echoArgs) Kind() string { return "test_echo" }

type echoWorker struct {
	river.WorkerDefaults[echoArgs]
	runs atomic.Int64
	// failUntil makes the first runs fail; zero never fails.
	failUntil int64
	// hold, when set, is how long a run takes unless cancelled.
	hold time.Duration
	// cancelled counts runs whose context was cancelled.
	cancelled atomic.Int64
}

func (w *echoWorker) Work(ctx context.Context, job *river.Job[echoArgs]) error {
	n := w.runs.Add(1)
	if w.hold > 0 {
		select {
		case <-time.After(w.hold):
		case <-ctx.Done():
			w.cancelled.Add(1)
			return ctx.Err()
		}
	}
	if n <= w.failUntil {
		return fmt.Errorf("run %d fails on purpose", n)
	}
	return nil
}

// NextRetry retries at once, so that the test need not wait for River's
// exponential back-off, which real workers keep.
func (w *echoWorker) NextRetry(*river.Job[echoArgs]) time.Time {
	return time.Now().Add(10 * time.Millisecond)
}

// start migrates target and starts a client working w.
func start(t *testing.T, target dbtest.Target, w *echoWorker,
	change func(*config.Jobs)) *jobs.Client {
	t.Helper()
	migrated(t, target)
	c := newClient(t, target, testConfig(change))
	reg := jobs.NewRegistry()
	jobs.AddWorker(reg.ForModule("test"), w)
	if err := c.StartWorkers(context.Background(), reg); err != nil {
		t.Fatal(err)
	}
	return c
}

func TestInsertTxFollowsTheTransaction(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := &echoWorker{}
		c := start(t, target, w, nil)

		insertInTx(t, target.DB, c, echoArgs{Message: "rolled back"}, nil, false)
		id := insertInTx(t, target.DB, c, echoArgs{Message: "committed"}, nil, true)

		job := waitState(t, c, id, rivertype.JobStateCompleted)
		if job.Attempt != 1 {
			t.Errorf("committed job took %d attempts", job.Attempt)
		}
		all, err := c.List(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 1 || all[0].ID != id {
			t.Fatalf("jobs = %d, want only the committed one (%d)", len(all), id)
		}
		if got := w.runs.Load(); got != 1 {
			t.Errorf("worker ran %d times, want 1", got)
		}
	})
}

func TestFailingJobIsRetriedThenDiscardedAndCanBeRetried(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := &echoWorker{failUntil: 2}
		c := start(t, target, w, nil)

		id := insertInTx(t, target.DB, c, echoArgs{}, &river.InsertOpts{MaxAttempts: 2}, true)
		job := waitState(t, c, id, rivertype.JobStateDiscarded)
		if job.Attempt != 2 || len(job.Errors) != 2 {
			t.Fatalf("discarded after %d attempts with %d errors, want 2 and 2",
				job.Attempt, len(job.Errors))
		}
		if !strings.Contains(job.Errors[1].Error, "fails on purpose") {
			t.Errorf("last error %q does not say why", job.Errors[1].Error)
		}
		discarded, err := c.List(context.Background(), 10, rivertype.JobStateDiscarded)
		if err != nil || len(discarded) != 1 {
			t.Fatalf("discarded jobs listed = %d, %v", len(discarded), err)
		}

		if _, err := c.Retry(context.Background(), id); err != nil {
			t.Fatal(err)
		}
		job = waitState(t, c, id, rivertype.JobStateCompleted)
		if job.Attempt != 3 || w.runs.Load() != 3 {
			t.Errorf("after retry: attempt %d, runs %d; want 3 and 3", job.Attempt,
				w.runs.Load())
		}
		if _, err := c.Retry(context.Background(), 999999); !errors.Is(err, jobs.ErrNotFound) {
			t.Errorf("retry of a missing job = %v, want ErrNotFound", err)
		}
	})
}

func TestStopLetsARunningJobFinish(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := &echoWorker{hold: 700 * time.Millisecond}
		c := start(t, target, w, nil)
		id := insertInTx(t, target.DB, c, echoArgs{}, nil, true)
		waitState(t, c, id, rivertype.JobStateRunning)

		begin := time.Now()
		if err := c.StopWorkers(context.Background()); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(begin); took < 300*time.Millisecond {
			t.Errorf("stop returned after %s, before the job could finish", took)
		}
		if w.cancelled.Load() != 0 {
			t.Error("the running job was cancelled within the stop timeout")
		}
		waitState(t, c, id, rivertype.JobStateCompleted)
	})
}

func TestStopCancelsJobsPastTheStopTimeout(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := &echoWorker{hold: time.Hour}
		c := start(t, target, w, func(c *config.Jobs) { c.StopTimeout = 300 * time.Millisecond })
		id := insertInTx(t, target.DB, c, echoArgs{}, nil, true)
		waitState(t, c, id, rivertype.JobStateRunning)

		begin := time.Now()
		if err := c.StopWorkers(context.Background()); err != nil {
			t.Fatal(err)
		}
		took := time.Since(begin)
		if took < 300*time.Millisecond || took > 5*time.Second {
			t.Errorf("stop took %s; want the 300ms timeout, then cancellation", took)
		}
		if w.cancelled.Load() != 1 {
			t.Errorf("job saw %d cancellations, want 1", w.cancelled.Load())
		}
		job, err := c.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == rivertype.JobStateCompleted || job.State == rivertype.JobStateDiscarded {
			t.Errorf("cancelled job is %s; want it left to run again", job.State)
		}
	})
}

// childEnv carries the database URL to the child process of the kill test.
const childEnv = "ERP_JOBS_TEST_CHILD_DB"

// runChild enqueues one job in a committed transaction, prints its id and
// waits for the parent to kill it.
func runChild(url string) int {
	target, err := openTarget(url)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := jobs.New(target.DB, url, testConfig(nil), quietLog())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	id := insertInTx(&childT{}, target.DB, c, echoArgs{Message: "from a killed process"},
		nil, true)
	fmt.Printf("committed %d\n", id)
	time.Sleep(time.Minute)
	return 3
}

func TestJobSurvivesAProcessKilledAfterCommit(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		migrated(t, target)
		id := enqueueInKilledChild(t, target.URL)

		w := &echoWorker{}
		c := start(t, target, w, nil)
		waitState(t, c, id, rivertype.JobStateCompleted)
		if w.runs.Load() != 1 {
			t.Errorf("worker ran %d times, want 1", w.runs.Load())
		}
	})
}

// enqueueInKilledChild re-runs this test binary as a child that commits a
// job; the child is SIGKILLed as soon as it reports the commit.
func enqueueInKilledChild(t *testing.T, url string) int64 {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+url)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		t.Fatalf("child said nothing: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed", err)
	}
	id, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(line, "committed ")),
		10, 64)
	if err != nil {
		t.Fatalf("child said %q", line)
	}
	return id
}

func TestRegistryRefusesAKindTwice(t *testing.T) {
	t.Parallel()
	reg := jobs.NewRegistry()
	jobs.AddWorker(reg.ForModule("first"), &echoWorker{})
	jobs.AddWorker(reg.ForModule("second"), &echoWorker{})
	err := reg.Err()
	if err == nil || !strings.Contains(err.Error(), `"second"`) ||
		!strings.Contains(err.Error(), `"first"`) {
		t.Fatalf("Err = %v; want both modules named", err)
	}
	if got := reg.Module("test_echo"); got != "first" {
		t.Errorf("kind owned by %q, want first", got)
	}
}
