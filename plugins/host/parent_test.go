package host

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/erp-interventions/erp/config"
)

// helperEnv makes the test binary act as a server hosting one plugin, so
// that a test can kill that server and watch what becomes of the plugin.
const helperEnv = "ERP_PLUGIN_TEST_HOST"

// runHostHelper starts the plugin named by helperEnv (path=checksum),
// prints its process id and waits to be killed.
func runHostHelper() {
	path, sum, _ := strings.Cut(os.Getenv(helperEnv), "=")
	h, err := New([]config.Plugin{{Name: "orphan", Path: path, SHA256: sum}},
		slog.New(slog.DiscardHandler))
	if err == nil {
		err = h.Start(context.Background())
	}
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("pid", h.Status()[0].PID)
	select {}
}

func TestPluginExitsWhenItsHostDies(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+bin.behave+"="+checksum(t, bin.behave))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("read the helper's output: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "pid ")))
	if err != nil || pid == 0 {
		t.Fatalf("the helper said %q", line)
	}

	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	killed := time.Now()
	waitFor(t, 5*time.Second, "the orphaned plugin to exit", func() bool {
		return processGone(pid)
	})
	t.Logf("the orphaned plugin exited %s after its host was killed",
		time.Since(killed).Round(time.Millisecond))
}
