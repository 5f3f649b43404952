package host

import (
	"context"
	"errors"
	"strings"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/erp-interventions/erp/config"
)

func motif(m string) Call {
	c := closing(1, "corrective", "basse", "")
	c.Transition.Motif = m
	return c
}

func TestPluginKilledMidCallIsRestarted(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{config.FailClosed, config.FailOpen} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			h, _ := startHost(t, declare(t, "behave", bin.behave,
				func(p *config.Plugin) { p.FailurePolicy = policy }))
			before := statusOf(t, h, "behave")

			type outcome struct {
				veto string
				err  error
			}
			done := make(chan outcome, 1)
			go func() {
				veto, err := reasonOf(h.BeforeTransition(context.Background(), motif("sleep:5s")))
				done <- outcome{veto, err}
			}()
			time.Sleep(200 * time.Millisecond)
			killed := time.Now()
			if err := syscall.Kill(before.PID, syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}

			got := <-done
			if took := time.Since(killed); took > time.Second {
				t.Errorf("the call returned %s after the kill", took)
			}
			if policy == config.FailClosed && !errors.Is(got.err, ErrUnavailable) {
				t.Errorf("fail_closed: err = %v, want ErrUnavailable", got.err)
			}
			if policy == config.FailOpen && (got.err != nil || got.veto != "") {
				t.Errorf("fail_open: got %q, %v; want the step allowed", got.veto, got.err)
			}

			waitFor(t, 5*time.Second, "the restart", func() bool {
				s := statusOf(t, h, "behave")
				return s.State == StateRunning && s.PID != before.PID
			})
			t.Logf("restart time: %s from the kill to a running plugin",
				time.Since(killed).Round(time.Millisecond))
			if s := statusOf(t, h, "behave"); s.Restarts != 1 {
				t.Errorf("restarts = %d, want 1", s.Restarts)
			}
			veto, err := reasonOf(h.BeforeTransition(context.Background(), motif("veto:ok")))
			if err != nil || veto != "ok" {
				t.Errorf("the call after the restart: %q, %v", veto, err)
			}
		})
	}
}

func TestPluginExitingInItsHookIsRestarted(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "behave", bin.behave))
	pid := statusOf(t, h, "behave").PID
	_, err := reasonOf(h.BeforeTransition(context.Background(), motif("exit")))
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	waitFor(t, 5*time.Second, "the restart", func() bool {
		s := statusOf(t, h, "behave")
		return s.State == StateRunning && s.PID != pid
	})
}

func TestPluginSleepingPastItsDeadline(t *testing.T) {
	t.Parallel()
	for _, policy := range []string{config.FailClosed, config.FailOpen} {
		t.Run(policy, func(t *testing.T) {
			t.Parallel()
			h, _ := startHost(t, declare(t, "behave", bin.behave, withTimeout(300*time.Millisecond),
				func(p *config.Plugin) { p.FailurePolicy = policy }))
			pid := statusOf(t, h, "behave").PID

			begin := time.Now()
			veto, err := reasonOf(h.BeforeTransition(context.Background(), motif("sleep:3s")))
			if took := time.Since(begin); took > time.Second {
				t.Errorf("the call took %s with a 300ms deadline", took)
			}
			switch policy {
			case config.FailClosed:
				var perr *Error
				if !errors.As(err, &perr) || status.Code(perr.Err) != codes.DeadlineExceeded {
					t.Errorf("err = %v, want ErrUnavailable for a missed deadline", err)
				}
			case config.FailOpen:
				if err != nil || veto != "" {
					t.Errorf("got %q, %v; want the step allowed", veto, err)
				}
			}
			if s := statusOf(t, h, "behave"); s.PID != pid || s.State != StateRunning {
				t.Errorf("one slow call restarted the plugin: %+v", s)
			}
		})
	}
}

func TestPluginMissingDeadlinesInARowIsRestarted(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "behave", bin.behave, withTimeout(150*time.Millisecond)))
	pid := statusOf(t, h, "behave").PID
	for range maxTimeouts {
		_, _ = reasonOf(h.BeforeTransition(context.Background(), motif("sleep:2s")))
	}
	waitFor(t, 5*time.Second, "the restart of a hung plugin", func() bool {
		s := statusOf(t, h, "behave")
		return s.State == StateRunning && s.PID != pid
	})
}

func TestPanickingHookDoesNotKillThePlugin(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "behave", bin.behave))
	pid := statusOf(t, h, "behave").PID
	_, err := reasonOf(h.BeforeTransition(context.Background(), motif("panic")))
	if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "panicked") {
		t.Errorf("err = %v, want the panic reported", err)
	}
	time.Sleep(100 * time.Millisecond)
	if s := statusOf(t, h, "behave"); s.PID != pid || s.Restarts != 0 {
		t.Errorf("the plugin was restarted after a recovered panic: %+v", s)
	}
}

func TestWrongChecksumRefusesOnlyThatPlugin(t *testing.T) {
	t.Parallel()
	wrong := strings.Repeat("ab", 32)
	h, logs := startHost(t,
		declare(t, "bad-sum", bin.behave, func(p *config.Plugin) { p.SHA256 = wrong }),
		config.Plugin{Name: "missing", Path: bin.behave + "-absent", SHA256: wrong},
		declare(t, "good", bin.rapport))

	bad := statusOf(t, h, "bad-sum")
	if bad.State != StateRefused || !strings.Contains(bad.Error, "does not match") {
		t.Errorf("wrong checksum: %+v", bad)
	}
	missing := statusOf(t, h, "missing")
	if missing.State != StateRefused || !strings.Contains(missing.Error, "does not exist") {
		t.Errorf("missing file: %+v", missing)
	}
	if good := statusOf(t, h, "good"); good.State != StateRunning {
		t.Errorf("the good plugin is %s", good.State)
	}
	if !strings.Contains(logs.String(), `"msg":"plugin refused"`) {
		t.Errorf("no log line says the plugin was refused")
	}

	_, err := reasonOf(h.BeforeTransition(context.Background(), motif("")))
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, ErrRefused) {
		t.Errorf("a fail_closed refused plugin: err = %v", err)
	}
}

func TestRefusedFailOpenPluginIsSkipped(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "bad-sum", bin.behave, failOpen,
		func(p *config.Plugin) { p.SHA256 = strings.Repeat("0", 64) }))
	veto, err := reasonOf(h.BeforeTransition(context.Background(), motif("veto:no")))
	if err != nil || veto != "" {
		t.Errorf("got %q, %v; want the plugin skipped", veto, err)
	}
}

func TestGarbageOnStdoutFailsTheHandshake(t *testing.T) {
	t.Parallel()
	h, _ := startHost(t, declare(t, "garbage", bin.garbage))
	s := statusOf(t, h, "garbage")
	if s.State == StateRunning || !strings.Contains(s.Error, "starting up, hello!") {
		t.Fatalf("status = %+v, want a failed handshake quoting the stray output", s)
	}
	err := h.AfterTransition(context.Background(), motif(""))
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("err = %v, want ErrUnavailable", err)
	}
}
