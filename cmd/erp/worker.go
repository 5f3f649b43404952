package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/riverqueue/river/rivertype"

	"github.com/erp-interventions/erp/core/app"
)

// runWorker is `erp worker`: the job workers of the enabled modules and no
// HTTP, so that a PostgreSQL deployment scales workers and API apart.
func runWorker(ctx context.Context, c *cli, args []string) error {
	fs := c.flagSet("worker", "erp worker [flags]")
	if _, err := parse(fs, args, 0); err != nil {
		return err
	}
	a, err := c.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	return a.RunWorkers(ctx)
}

// runJobs is `erp jobs list|retry`: what an administrator needs without the
// web UI, such as retrying a job that ran out of attempts.
func runJobs(ctx context.Context, c *cli, args []string) error {
	fs := c.flagSet("jobs", "erp jobs list [--state S] [--limit N] | retry ID [flags]")
	state := fs.String("state", "", "list only jobs in this state "+
		"(available, running, retryable, discarded, completed, cancelled, scheduled)")
	limit := fs.Int("limit", 50, "list at most this many jobs, newest first")
	if len(args) == 0 || (args[0] != "list" && args[0] != "retry") {
		if err := fs.Parse(args); err != nil {
			return err
		}
		return errors.New("jobs needs an action: list or retry ID")
	}
	action, rest := args[0], args[1:]
	var id string
	if action == "retry" && len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		id, rest = rest[0], rest[1:] // erp jobs retry ID [flags]
	}
	if _, err := parse(fs, rest, 0); err != nil {
		return err
	}
	a, err := c.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if action == "retry" {
		return retryJob(ctx, c, a, id)
	}
	return listJobs(ctx, c, a, *state, *limit)
}

func listJobs(ctx context.Context, c *cli, a *app.App, state string, limit int) error {
	var states []rivertype.JobState
	if state != "" {
		states = append(states, rivertype.JobState(state))
	}
	rows, err := a.Jobs.List(ctx, limit, states...)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tQUEUE\tSTATE\tATTEMPT\tCREATED\tLAST ERROR")
	for _, j := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.Queue, j.State,
			j.Attempt, j.MaxAttempts, j.CreatedAt.UTC().Format(time.RFC3339), lastError(j))
	}
	return tw.Flush()
}

func lastError(j *rivertype.JobRow) string {
	if len(j.Errors) == 0 {
		return "-"
	}
	msg := j.Errors[len(j.Errors)-1].Error
	if len(msg) > 60 {
		msg = msg[:57] + "..."
	}
	return msg
}

func retryJob(ctx context.Context, c *cli, a *app.App, raw string) error {
	if raw == "" {
		return errors.New("jobs retry needs a job ID: erp jobs retry ID")
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id < 1 {
		return fmt.Errorf("job ID %q is not a positive number", raw)
	}
	job, err := a.Jobs.Retry(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "job %d (%s) is %s\n", job.ID, job.Kind, job.State)
	return nil
}

// openApp loads the configuration and opens the app on its database.
func (c *cli) openApp(ctx context.Context) (*app.App, error) {
	a, err := c.newApp()
	if err != nil {
		return nil, err
	}
	if err := a.Open(ctx); err != nil {
		return nil, err
	}
	return a, nil
}
