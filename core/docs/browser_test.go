package docs

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// findChromium returns the path of a Chromium binary. Without one the test is skipped
// on a developer machine but fails in CI, where the browser check must really run.
func findChromium(t *testing.T) string {
	t.Helper()

	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}

	if os.Getenv("CI") != "" {
		t.Fatal("chromium is required in CI for the browser test " +
			"(Debian package chromium: apt-get install -y chromium)")
	}

	t.Skip("chromium not installed (apt-get install -y chromium); skipping browser test")

	return ""
}

// requestLog records every request the test server answers, to explain a failure.
type requestLog struct {
	mu    sync.Mutex
	lines []string
}

// wrap returns h with each request and its status written to the log.
func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)

		l.mu.Lock()
		defer l.mu.Unlock()
		l.lines = append(l.lines, fmt.Sprintf("%s %s -> %d", r.Method, r.URL.Path, sw.status))
	})
}

// String returns the recorded requests, one a line.
func (l *requestLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()

	return strings.Join(l.lines, "\n")
}

// statusWriter remembers the status code written through it.
type statusWriter struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the status and passes it on.
func (s *statusWriter) WriteHeader(status int) {
	s.status = status
	s.ResponseWriter.WriteHeader(status)
}

// dumpDOM loads url in headless Chromium and returns the DOM after the page's scripts
// ran. Host names other than the loopback address do not resolve and no proxy is used,
// so the page cannot fetch anything from the internet even on a connected machine.
func dumpDOM(t *testing.T, chromium, url string) string {
	t.Helper()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	args := []string{
		"--headless",
		"--no-sandbox", // The tests may run as root, where the sandbox cannot start.
		"--disable-gpu",
		"--disable-quic",
		"--no-first-run",
		"--disable-background-networking",
		"--disable-component-update",
		"--disable-sync",
		"--no-proxy-server",
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
		"--user-data-dir=" + t.TempDir(),
		"--virtual-time-budget=15000",
		"--dump-dom",
		url,
	}

	var stdout, stderr bytes.Buffer

	cmd := exec.CommandContext(ctx, chromium, args...)
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	// Helper processes may keep the output pipes open after the browser exits.
	cmd.WaitDelay = 5 * time.Second

	start := time.Now()
	err := cmd.Run()
	t.Logf("chromium rendered %s in %v", url, time.Since(start).Round(time.Millisecond))

	if err != nil {
		t.Fatalf("chromium failed on %s: %v\nstderr (end):\n%s", url, err, tail(stderr.String(), 2000))
	}

	return stdout.String()
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}

	return s[len(s)-n:]
}

// TestDocsRenderInHeadlessChromium proves that both documentation pages render the
// spec in a real browser using only what this package serves. The page titles differ
// from the spec's title, and the markers match elements the UIs only create after
// their scripts fetched and rendered the spec.
func TestDocsRenderInHeadlessChromium(t *testing.T) {
	chromium := findChromium(t)

	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(newTestMux()))
	defer srv.Close()

	cases := []struct {
		name    string
		path    string
		markers []*regexp.Regexp
	}{
		{
			name: "swagger-ui",
			path: "/docs",
			markers: []*regexp.Regexp{
				// The heading of the info section.
				regexp.MustCompile(`<h2 class="title"[^>]*>\s*ERP Interventions\b`),
				// The Authorize button, shown because the spec declares BearerAuth.
				regexp.MustCompile(`<button class="btn authorize\b`),
			},
		},
		{
			name: "redoc",
			path: "/redoc",
			markers: []*regexp.Regexp{
				// The heading of the api-info section.
				regexp.MustCompile(`class="[^"]*\bapi-info\b[^"]*"><h1[^>]*>\s*ERP Interventions\b`),
			},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dom := dumpDOM(t, chromium, srv.URL+tc.path)
			for _, marker := range tc.markers {
				if !marker.MatchString(dom) {
					t.Fatalf("%s did not render the spec (no match for %s)\n"+
						"requests:\n%s\nDOM (start):\n%.1500s",
						tc.path, marker, log, dom)
				}
			}
		})
	}
}
