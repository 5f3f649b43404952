package host

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/erp-interventions/erp/config"
)

// bin holds the paths of the plugin binaries the tests build once.
var bin struct {
	rapport, reference, behave, garbage string
}

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) != "" {
		runHostHelper()
		return
	}
	watchEvery, pingEvery, firstBackoff = 20*time.Millisecond, 300*time.Millisecond,
		20*time.Millisecond

	dir, err := os.MkdirTemp("", "erp-plugin-bins-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := 1
	if err := buildPlugins(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// buildPlugins builds the example and test plugins with go build, in
// parallel. Under -race they are built with -race too, which reuses the
// packages the test binary already compiled.
func buildPlugins(dir string) error {
	targets := map[*string]string{
		&bin.rapport:   "../examples/rapportcloture",
		&bin.reference: "../examples/referenceclient",
		&bin.behave:    "../internal/testplugins/behave",
		&bin.garbage:   "../internal/testplugins/garbage",
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(targets))
	for out, pkg := range targets {
		*out = filepath.Join(dir, filepath.Base(pkg))
		wg.Go(func() {
			args := []string{"build", "-o", *out}
			if raceEnabled {
				args = append(args, "-race")
			}
			cmd := exec.Command("go", append(args, pkg)...)
			if msg, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// reasonOf keeps the reason of a BeforeTransition answer.
func reasonOf(v Veto, err error) (string, error) { return v.Reason, err }

// checksum returns the SHA-256 of a file in hexadecimal, as an
// administrator would write it in the configuration.
func checksum(t testing.TB, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// declare returns a plugin declaration for path with its true checksum,
// a fail_closed policy and a 2s timeout, changed by opts.
func declare(t testing.TB, name, path string, opts ...func(*config.Plugin)) config.Plugin {
	t.Helper()
	p := config.Plugin{Name: name, Path: path, SHA256: checksum(t, path),
		Timeout: 2 * time.Second, FailurePolicy: config.FailClosed}
	for _, o := range opts {
		o(&p)
	}
	return p
}

func failOpen(p *config.Plugin) { p.FailurePolicy = config.FailOpen }

func withTimeout(d time.Duration) func(*config.Plugin) {
	return func(p *config.Plugin) { p.Timeout = d }
}

func withConfig(cfg map[string]any) func(*config.Plugin) {
	return func(p *config.Plugin) { p.Config = cfg }
}

func forClients(ids ...int64) func(*config.Plugin) {
	return func(p *config.Plugin) { p.Clients = ids }
}

// logBuffer collects the host's JSON log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startHost starts a host for the declarations and stops it when the test
// ends, checking that every plugin process is gone by then.
func startHost(t testing.TB, plugins ...config.Plugin) (*Host, *logBuffer) {
	t.Helper()
	logs := &logBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h, err := New(plugins, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopHost(t, h) })
	return h, logs
}

func stopHost(t testing.TB, h *Host) {
	var pids []int
	for _, s := range h.Status() {
		if s.PID != 0 {
			pids = append(pids, s.PID)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.Stop(ctx); err != nil {
		t.Errorf("Stop: %v", err)
	}
	for _, pid := range pids {
		if !processGone(pid) {
			t.Errorf("plugin process %d still runs after Stop", pid)
		}
	}
}

// processGone reports whether pid no longer runs; a zombie counts as gone.
func processGone(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	fields := strings.Fields(string(raw[bytes.LastIndexByte(raw, ')')+1:]))
	return len(fields) > 0 && (fields[0] == "Z" || fields[0] == "X")
}

// statusOf returns the named plugin's status.
func statusOf(t testing.TB, h *Host, name string) Status {
	t.Helper()
	for _, s := range h.Status() {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no plugin %q", name)
	return Status{}
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
