package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestShutdownFinishesInFlightRequests(t *testing.T) {
	t.Parallel()
	j := &journal{}
	reg := testRegistry(j, "")
	addr := freeAddr(t)
	a := newApp(t, reg, map[string]any{"http.addr": addr, "database.auto_migrate": true})

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	waitHealthy(t, "http://"+addr)

	type answer struct {
		status int
		body   string
		err    error
	}
	got := make(chan answer, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/api/v1/alpha/slow")
		if err != nil {
			got <- answer{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		got <- answer{status: resp.StatusCode, body: string(b)}
	}()
	m, _ := reg.Get("alpha")
	<-m.(*testModule).slowStarted
	cancel() // as SIGTERM does in erp serve

	ans := <-got
	if ans.err != nil || ans.status != 200 || !strings.Contains(ans.body, "done") {
		t.Fatalf("in-flight request = %+v; want it finished", ans)
	}
	if err := <-done; err != nil {
		t.Fatalf("Run = %v", err)
	}
	if !strings.HasSuffix(j.String(), "stop:gamma stop:beta stop:alpha") {
		t.Fatalf("modules not stopped after shutdown: %s", j)
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Fatal("server still answers after shutdown")
	}
}

func TestPortInUseFailsBeforeStartingModules(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	j := &journal{}
	a := newApp(t, testRegistry(j, ""), map[string]any{"http.addr": ln.Addr().String(),
		"database.auto_migrate": true})
	err = a.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "listen on "+ln.Addr().String()) {
		t.Fatalf("Run = %v; want a listen error naming the address", err)
	}
	if strings.Contains(j.String(), "start:") {
		t.Fatalf("modules started although the port was taken: %s", j)
	}
}

func waitHealthy(t *testing.T, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never became healthy", base)
}
