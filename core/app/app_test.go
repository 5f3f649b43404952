package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/config"
	"github.com/erp-interventions/erp/core/app"
	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
)

// journal records lifecycle calls in order, shared by the test modules.
type journal struct {
	mu    sync.Mutex
	lines []string
}

func (j *journal) add(s string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.lines = append(j.lines, s)
}

func (j *journal) String() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return strings.Join(j.lines, " ")
}

// testModule is a module that owns a table and serves one public collection.
type testModule struct {
	id        string
	requires  []string
	j         *journal
	failStart bool
	host      *module.Host
	// slowStarted is closed when the slow handler begins.
	slowStarted chan struct{}
}

var (
	_ module.Provisioner = (*testModule)(nil)
	_ module.Migrator    = (*testModule)(nil)
	_ module.Router      = (*testModule)(nil)
	_ module.Starter     = (*testModule)(nil)
	_ module.Stopper     = (*testModule)(nil)
)

func (m *testModule) Info() module.Info {
	return module.Info{ID: m.id, Requires: m.requires, Summary: "test module " + m.id}
}

func (m *testModule) Provision(_ context.Context, h *module.Host) error {
	m.j.add("provision:" + m.id)
	m.host = h
	return nil
}

func (m *testModule) Migrations() fs.FS {
	return fstest.MapFS{"20260101000001_create.up.sql": {Data: []byte(
		"CREATE TABLE " + m.id + "_items (id INTEGER PRIMARY KEY, nom TEXT NOT NULL);")}}
}

type item struct {
	ID  int64  `json:"id"`
	Nom string `json:"nom"`
}

// ItemCreate is a request body of a test module.
type ItemCreate struct {
	Nom string `json:"nom" required:"true" minLength:"2"`
}

func (m *testModule) Routes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_" + m.id, Method: http.MethodGet, Path: "/" + m.id + "/", Tag: "filtres",
		Summary: "Lister", Public: true, Response: []item{},
		Handler: func(w http.ResponseWriter, r bunrouter.Request) error {
			var items []item
			err := m.host.DB.NewSelect().Table(m.id+"_items").Column("id", "nom").
				Order("id").Scan(r.Context(), &items)
			if err != nil {
				return err
			}
			return httpx.WriteJSON(w, http.StatusOK, append([]item{}, items...))
		},
	})
	api.Handle(httpx.Operation{
		ID: "create_" + m.id, Method: http.MethodPost, Path: "/" + m.id + "/", Tag: "filtres",
		Summary: "Créer", Public: true, Request: new(ItemCreate), Response: new(item),
		Status: http.StatusCreated,
		Handler: func(w http.ResponseWriter, r bunrouter.Request) error {
			var in ItemCreate
			if err := httpx.DecodeJSON(r.Request, &in); err != nil {
				return err
			}
			if len(in.Nom) < 2 {
				return httpx.Invalid(httpx.Field("nom", "string_too_short", "trop court"))
			}
			if in.Nom == "panic" {
				panic("secret internal detail")
			}
			_, err := m.host.DB.ExecContext(r.Context(),
				"INSERT INTO "+m.id+"_items (nom) VALUES (?)", in.Nom)
			if err != nil {
				return err
			}
			return httpx.WriteJSON(w, http.StatusCreated, item{Nom: in.Nom})
		},
	})
	api.Handle(httpx.Operation{
		ID: "slow_" + m.id, Method: http.MethodGet, Path: "/" + m.id + "/slow", Tag: "filtres",
		Summary: "Lent", Public: true,
		Handler: func(w http.ResponseWriter, r bunrouter.Request) error {
			close(m.slowStarted)
			time.Sleep(300 * time.Millisecond)
			return httpx.WriteJSON(w, http.StatusOK, "done")
		},
	})
	api.Handle(httpx.Operation{
		ID: "secret_" + m.id, Method: http.MethodGet, Path: "/" + m.id + "/secret",
		Tag: "filtres", Summary: "Protégé", Permission: m.id + ":read",
		Handler: func(w http.ResponseWriter, r bunrouter.Request) error {
			return httpx.WriteJSON(w, http.StatusOK, "secret")
		},
	})
}

func (m *testModule) Start(context.Context) error {
	if m.failStart {
		m.j.add("start-failed:" + m.id)
		return errors.New("boom")
	}
	m.j.add("start:" + m.id)
	return nil
}

func (m *testModule) Stop(context.Context) error {
	m.j.add("stop:" + m.id)
	return nil
}

// testRegistry holds alpha, beta (requires alpha) and gamma (requires beta).
func testRegistry(j *journal, failing string) *module.Registry {
	r := module.NewRegistry()
	r.MustAdd(&testModule{id: "gamma", requires: []string{"beta"}, j: j,
		failStart: failing == "gamma", slowStarted: make(chan struct{})})
	r.MustAdd(&testModule{id: "alpha", j: j, failStart: failing == "alpha",
		slowStarted: make(chan struct{})})
	r.MustAdd(&testModule{id: "beta", requires: []string{"alpha"}, j: j,
		failStart: failing == "beta", slowStarted: make(chan struct{})})
	return r
}

func specPaths(t *testing.T, s *apptest.Server) map[string]any {
	t.Helper()
	var spec struct {
		Paths map[string]any `json:"paths"`
	}
	s.Get(t, "/openapi.json", "").JSON(t, &spec)
	return spec.Paths
}

func TestEnabledModulesDecideRoutesSpecAndMigrations(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		j := &journal{}
		s := apptest.Start(t, apptest.Options{Registry: testRegistry(j, ""),
			Enabled: []string{"alpha", "beta"}, DatabaseURL: target.URL})

		for _, p := range []string{"/api/v1/alpha/", "/api/v1/beta/", "/api/v1/beta"} {
			if r := s.Get(t, p, ""); r.StatusCode != http.StatusOK {
				t.Errorf("GET %s = %d, want 200", p, r.StatusCode)
			}
		}
		if r := s.Get(t, "/api/v1/gamma/", ""); r.StatusCode != http.StatusNotFound {
			t.Errorf("disabled module's route answered %d", r.StatusCode)
		}
		paths := specPaths(t, s)
		if paths["/alpha/"] == nil || paths["/beta/"] == nil || paths["/gamma/"] != nil {
			t.Errorf("spec paths = %v; want alpha and beta only", keys(paths))
		}
		ctx := context.Background()
		var n int
		if err := target.DB.NewSelect().Table("beta_items").ColumnExpr("count(*)").
			Scan(ctx, &n); err != nil {
			t.Errorf("enabled module's table missing: %v", err)
		}
		if err := target.DB.NewSelect().Table("gamma_items").ColumnExpr("count(*)").
			Scan(ctx, &n); err == nil {
			t.Error("disabled module's migration ran")
		}
		if got := j.String(); got != "provision:alpha provision:beta start:alpha start:beta" {
			t.Errorf("lifecycle = %q", got)
		}
	})
}

func TestStartFailureStopsWhatStartedInReverse(t *testing.T) {
	t.Parallel()
	j := &journal{}
	a := newApp(t, testRegistry(j, "gamma"), nil)
	err := a.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), `module "gamma": start: boom`) {
		t.Fatalf("Start = %v; want gamma's failure", err)
	}
	want := "provision:alpha provision:beta provision:gamma start:alpha start:beta " +
		"start-failed:gamma stop:beta stop:alpha"
	if got := j.String(); got != want {
		t.Fatalf("lifecycle = %q\nwant      %q", got, want)
	}
}

func TestStopRunsInReverseOrder(t *testing.T) {
	t.Parallel()
	j := &journal{}
	a := newApp(t, testRegistry(j, ""), nil)
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := a.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := j.String(); !strings.HasSuffix(got, "stop:gamma stop:beta stop:alpha") {
		t.Fatalf("lifecycle = %q", got)
	}
}

func TestMissingRequirementIsRefusedByName(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, map[string]any{"modules.enabled": []string{"gamma"}})
	_, err := app.New(cfg, app.Options{Registry: testRegistry(&journal{}, "")})
	if err == nil || !strings.Contains(err.Error(), `"gamma" requires "beta"`) {
		t.Fatalf("New = %v; want the missing requirement named", err)
	}
}

func TestSpecBuildsWithoutADatabase(t *testing.T) {
	t.Parallel()
	cfg := testConfig(t, map[string]any{"database.url": "postgres://nobody@127.0.0.1:1/none"})
	a, err := app.New(cfg, app.Options{Registry: testRegistry(&journal{}, "")})
	if err != nil {
		t.Fatal(err)
	}
	spec, err := a.Spec()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(spec, &doc); err != nil || doc["openapi"] != "3.0.3" {
		t.Fatalf("spec = %.200s, %v", spec, err)
	}
}

func testConfig(t *testing.T, overrides map[string]any) *config.Config {
	t.Helper()
	o := map[string]any{"database.url": dbtest.SQLite(t).URL}
	for k, v := range overrides {
		o[k] = v
	}
	cfg, err := config.Load(config.Options{Overrides: o})
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func newApp(t *testing.T, reg *module.Registry, overrides map[string]any) *app.App {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.New(testConfig(t, overrides), app.Options{Registry: reg, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	return a
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
