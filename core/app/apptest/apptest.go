// Package apptest starts the whole product, or a chosen set of modules, on a
// test database and serves it over real HTTP, so tests exercise the same
// router, middleware and database as production.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/app"
	"github.com/erp-interventions/erp/core/module"
)

// TestSecret signs the access tokens of test servers.
const TestSecret = "test-secret-0123456789abcdef0123456789abcdef"

// Options choose what to start.
type Options struct {
	// Registry to resolve modules from; module.Default when nil.
	Registry *module.Registry
	// Enabled lists module IDs; nil means every module of the registry.
	Enabled []string
	// DatabaseURL is the test database (see package dbtest).
	DatabaseURL string
	// Overrides sets configuration keys, e.g. "http.max_body_bytes".
	Overrides map[string]any
}

// Server is a running app behind an httptest server.
type Server struct {
	App *app.App
	URL string
}

// Start builds, migrates and starts the app and serves it until the test
// ends.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	overrides := map[string]any{"database.url": opts.DatabaseURL, "log.level": "error",
		"auth.jwt_secret": TestSecret}
	if opts.Enabled != nil {
		overrides["modules.enabled"] = opts.Enabled
	}
	for k, v := range opts.Overrides {
		overrides[k] = v
	}
	cfg, err := config.Load(config.Options{File: "", Overrides: overrides})
	if err != nil {
		t.Fatalf("config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(cfg, app.Options{Registry: opts.Registry, Logger: log})
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	ctx := context.Background()
	if err := a.Open(ctx); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = a.Close() })
	if _, err := a.Migrations().Up(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	h, err := a.Handler()
	if err != nil {
		t.Fatalf("handler: %v", err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { _ = a.Stop(context.Background()) })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Server{App: a, URL: srv.URL}
}

// Response is a finished request with its body read.
type Response struct {
	*http.Response
	Body []byte
}

// JSON decodes the body into v, failing the test when it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s answer %q: %v", r.Request.URL.Path, r.Body, err)
	}
}

// Problem decodes a problem body.
func (r *Response) Problem(t testing.TB) map[string]any {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Fatalf("%s: Content-Type %q, want a problem body: %s", r.Request.URL.Path, ct, r.Body)
	}
	var p map[string]any
	r.JSON(t, &p)
	return p
}

// Request is what Do sends.
type Request struct {
	Method string
	Path   string
	// Body is sent as JSON unless it is a string or []byte.
	Body   any
	Header map[string]string
	Token  string
}

// Do sends req to the server and reads the answer.
func (s *Server) Do(t testing.TB, req Request) *Response {
	t.Helper()
	var body io.Reader
	contentType := ""
	switch b := req.Body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(enc)
		contentType = "application/json"
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	r, err := http.NewRequest(method, s.URL+req.Path, body)
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if req.Token != "" {
		r.Header.Set("Authorization", "Bearer "+req.Token)
	}
	for k, v := range req.Header {
		r.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", method, req.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Response: resp, Body: b}
}

// Get is Do for a GET with an optional token.
func (s *Server) Get(t testing.TB, path, token string) *Response {
	t.Helper()
	return s.Do(t, Request{Path: path, Token: token})
}
