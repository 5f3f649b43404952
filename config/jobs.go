package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// DefaultQueue is the queue a job goes to unless its module names another.
// jobs.queues must always list it.
const DefaultQueue = "default"

// MaxQueueWorkers is the largest number of workers one queue may run, the
// ceiling River accepts.
const MaxQueueWorkers = 10000

// Jobs holds the settings of the background job runner (River).
type Jobs struct {
	// ServeWorkers makes `erp serve` work jobs as well as answer HTTP. Turn
	// it off on PostgreSQL to leave the jobs to `erp worker` processes.
	ServeWorkers bool `koanf:"serve_workers"`
	// Queues lists the queues this process works, each written
	// name:max_workers, such as default:10. It must include "default".
	Queues []string `koanf:"queues"`
	// MaxAttempts is how many times a job runs before it is discarded,
	// unless the job sets its own limit.
	MaxAttempts int `koanf:"max_attempts"`
	// JobTimeout bounds one run of a job; its context is cancelled after.
	JobTimeout time.Duration `koanf:"job_timeout"`
	// StopTimeout is how long a stopping process lets running jobs finish
	// before cancelling their contexts.
	StopTimeout time.Duration `koanf:"stop_timeout"`
	// PollInterval is how often workers look for jobs when no insert
	// notification woke them.
	PollInterval time.Duration `koanf:"poll_interval"`
	// CompletedRetention is how long finished jobs are kept.
	CompletedRetention time.Duration `koanf:"completed_retention"`
	// DiscardedRetention is how long jobs that ran out of attempts are kept,
	// visible and retryable, before they are deleted.
	DiscardedRetention time.Duration `koanf:"discarded_retention"`
	// UI mounts River's web UI under /admin/jobs for administrators.
	UI bool `koanf:"ui"`
}

func defaultJobs() Jobs {
	return Jobs{
		ServeWorkers:       true,
		Queues:             []string{DefaultQueue + ":10"},
		MaxAttempts:        25,
		JobTimeout:         time.Minute,
		StopTimeout:        15 * time.Second,
		PollInterval:       time.Second,
		CompletedRetention: 24 * time.Hour,
		DiscardedRetention: 7 * 24 * time.Hour,
		UI:                 true,
	}
}

// queueName is River's rule for queue names.
var queueName = regexp.MustCompile(`^[a-z0-9]+(?:[_-][a-z0-9]+)*$`)

// ParseQueues reads jobs.queues into queue name → maximum workers.
func ParseQueues(entries []string) (map[string]int, error) {
	out := make(map[string]int, len(entries))
	for _, e := range entries {
		name, n, ok := strings.Cut(strings.TrimSpace(e), ":")
		if !ok {
			return nil, fmt.Errorf("%q: write name:max_workers, e.g. default:10", e)
		}
		if !queueName.MatchString(name) || len(name) > 128 {
			return nil, fmt.Errorf("%q: queue names are lower-case letters and digits, "+
				"joined by _ or -", name)
		}
		workers, err := strconv.Atoi(n)
		if err != nil || workers < 1 || workers > MaxQueueWorkers {
			return nil, fmt.Errorf("%q: max_workers must be a number from 1 to %d",
				e, MaxQueueWorkers)
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("queue %q is listed twice", name)
		}
		out[name] = workers
	}
	if _, ok := out[DefaultQueue]; !ok {
		return nil, fmt.Errorf("must include the %q queue", DefaultQueue)
	}
	return out, nil
}

func (j Jobs) validate() []error {
	var errs []error
	if _, err := ParseQueues(j.Queues); err != nil {
		errs = append(errs, fmt.Errorf("jobs.queues: %w", err))
	}
	if j.MaxAttempts < 1 {
		errs = append(errs, fmt.Errorf("jobs.max_attempts: %d must be at least 1",
			j.MaxAttempts))
	}
	durations := []struct {
		key      string
		d, least time.Duration
	}{
		{"jobs.job_timeout", j.JobTimeout, time.Second},
		{"jobs.stop_timeout", j.StopTimeout, 0},
		{"jobs.poll_interval", j.PollInterval, 10 * time.Millisecond},
		{"jobs.completed_retention", j.CompletedRetention, time.Minute},
		{"jobs.discarded_retention", j.DiscardedRetention, time.Minute},
	}
	for _, d := range durations {
		if d.d < d.least {
			errs = append(errs, fmt.Errorf("%s: %s must be at least %s", d.key, d.d, d.least))
		}
	}
	return errs
}
