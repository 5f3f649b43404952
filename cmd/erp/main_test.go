package main

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// erpBin is the erp binary built once for the command tests, so they run
// the real program: flags, exit codes, signals and all.
var erpBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "erp-cli-test")
	if err != nil {
		panic(err)
	}
	erpBin = filepath.Join(dir, "erp")
	build := exec.Command("go", "build", "-o", erpBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("build erp: " + err.Error())
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

// erp runs the binary in dir with args and a clean ERP_* environment.
func erp(t *testing.T, dir string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, erpBin, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv()
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func cleanEnv() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "ERP_") {
			env = append(env, e)
		}
	}
	return env
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFailuresExitNonZeroWithOneLineNamingTheCause(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "unknown.yaml", "http:\n  adr: 127.0.0.1:1\n")
	writeFile(t, dir, "broken.yaml", "http: [unclosed\n")
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"UnknownConfigKey", []string{"config", "validate", "--config", "unknown.yaml"},
			"http.adr"},
		{"MalformedYAML", []string{"config", "validate", "--config", "broken.yaml"},
			"broken.yaml"},
		{"MissingConfigFile", []string{"serve", "--config", "absent.yaml"}, "absent.yaml"},
		{"BadDatabaseURL", []string{"migrate", "status", "--database-url", "mysql://x/y"},
			"database.url"},
		{"UnreachablePostgreSQL", []string{"migrate", "up", "--database-url",
			"postgres://erp:secretpw@127.0.0.1:1/erp?connect_timeout=2"}, "127.0.0.1:1"},
		{"UnknownCommand", []string{"frobnicate"}, "frobnicate"},
		{"UnknownModule", []string{"openapi", "export", "--set", "modules.enabled=nope"},
			`"nope"`},
		{"ProdWithDemoSettings", []string{"config", "validate", "--profile", "prod"},
			"jwt_secret"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := erp(t, dir, tc.args...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			last := lines[len(lines)-1]
			if r.code == 0 || !strings.HasPrefix(last, "erp: ") ||
				!strings.Contains(last, tc.want) {
				t.Fatalf("exit %d, stderr %q; want non-zero and one line naming %q",
					r.code, r.stderr, tc.want)
			}
			if strings.Contains(r.stderr, "secretpw") {
				t.Fatal("a password was printed")
			}
		})
	}
}

func TestMigrateUpStatusDown(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	db := "--database-url=" + filepath.Join(dir, "erp.db")
	if r := erp(t, dir, "migrate", "up", db); r.code != 0 ||
		!strings.Contains(r.stdout, "applied core") {
		t.Fatalf("migrate up: %+v", r)
	}
	r := erp(t, dir, "migrate", "status", db)
	if r.code != 0 || hasState(r.stdout, "pending") || !hasState(r.stdout, "applied") {
		t.Fatalf("migrate status after up: %+v", r)
	}
	if r := erp(t, dir, "migrate", "down", db); r.code != 0 ||
		!strings.Contains(r.stdout, "rolled back") {
		t.Fatalf("migrate down: %+v", r)
	}
	if r := erp(t, dir, "migrate", "status", db); !hasState(r.stdout, "pending") {
		t.Fatalf("status after down shows nothing pending: %+v", r)
	}
	if r := erp(t, dir, "migrate", "unlock", db); r.code != 0 {
		t.Fatalf("migrate unlock: %+v", r)
	}
}

// hasState reports whether a line of `erp migrate status` output is in
// state, read from the STATE column: migration names may contain the word.
func hasState(status, state string) bool {
	for _, line := range strings.Split(status, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[2] == state {
			return true
		}
	}
	return false
}

func TestConfigPrintRedactsSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := erp(t, dir, "config", "print", "--set", "auth.jwt_secret=very-secret-value-1234567890",
		"--database-url", "postgres://erp:hunter2@db:5432/erp")
	if r.code != 0 || strings.Contains(r.stdout, "very-secret") ||
		strings.Contains(r.stdout, "hunter2") || !strings.Contains(r.stdout, "addr:") {
		t.Fatalf("config print: %+v", r)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	t.Parallel()
	for _, c := range commands {
		r := erp(t, t.TempDir(), c.name, "--help")
		if r.code != 0 || !strings.Contains(r.stdout+r.stderr, "erp "+c.name) {
			t.Errorf("%s --help: %+v", c.name, r)
		}
	}
	if r := erp(t, t.TempDir(), "version"); r.code != 0 || !strings.HasPrefix(r.stdout, "erp ") {
		t.Errorf("version: %+v", r)
	}
}

func TestModulesListsRequirements(t *testing.T) {
	t.Parallel()
	r := erp(t, t.TempDir(), "modules")
	if r.code != 0 || !strings.Contains(r.stdout, "MODULE") ||
		!strings.Contains(r.stdout, "users") {
		t.Fatalf("modules: %+v", r)
	}
}

func TestCommittedSpecIsCurrent(t *testing.T) {
	t.Parallel()
	r := erp(t, t.TempDir(), "openapi", "export")
	if r.code != 0 {
		t.Fatalf("openapi export: %+v", r)
	}
	committed, err := os.ReadFile("../../openapi.generated.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(committed, []byte(r.stdout)) {
		t.Fatal("openapi.generated.json is stale: run `make openapi` and commit it")
	}
}

func TestServeStartsSaysWhereAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(erpBin, "serve", "--addr", addr)
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

	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var log []string
	deadline := time.After(30 * time.Second)
	for ready := false; !ready; {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("serve exited early: %s", strings.Join(log, "\n"))
			}
			log = append(log, l)
			ready = strings.Contains(l, "serving API")
		case <-deadline:
			t.Fatalf("serve never said where it listens: %s", strings.Join(log, "\n"))
		}
	}
	first := strings.Join(log, "\n")
	for _, want := range []string{"http://" + addr + "/docs", "data/erp.db"} {
		if !strings.Contains(first, want) {
			t.Errorf("start-up logs lack %q:\n%s", want, first)
		}
	}
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz after auto-migrate: %v %v", resp, err)
	}
	resp.Body.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("serve exit after SIGTERM: %v", err)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
