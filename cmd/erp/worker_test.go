package main

import (
	"bufio"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestJobsListAndRetry(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := "--database-url=" + filepath.Join(dir, "erp.db")
	if r := erp(t, dir, "migrate", "up", db); r.code != 0 ||
		!strings.Contains(r.stdout, "applied river") {
		t.Fatalf("migrate up did not apply River's migrations: %+v", r)
	}
	r := erp(t, dir, "jobs", "list", "--state", "discarded", db)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "ID") {
		t.Fatalf("jobs list: %+v", r)
	}
	r = erp(t, dir, "jobs", "retry", "42", db)
	if r.code == 0 || !strings.Contains(r.stderr, "job 42: job not found") {
		t.Fatalf("retry of a missing job: %+v", r)
	}
	if r := erp(t, dir, "jobs", "retry", "x", db); r.code == 0 {
		t.Fatalf("retry of a bad id succeeded: %+v", r)
	}
}

func TestWorkerServesNoHTTPAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(erpBin, "worker")
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	working := make(chan string, 1)
	go func() {
		var seen []string
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			seen = append(seen, sc.Text())
			if strings.Contains(sc.Text(), "working jobs") {
				working <- strings.Join(seen, "\n")
				return
			}
		}
		working <- "exited: " + strings.Join(seen, "\n")
	}()
	select {
	case log := <-working:
		if strings.HasPrefix(log, "exited") || strings.Contains(log, "serving API") {
			t.Fatalf("worker start-up:\n%s", log)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("worker never said it is working jobs")
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("worker exit after SIGTERM: %v", err)
	}
}
