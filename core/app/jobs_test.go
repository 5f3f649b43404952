package app_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
	"github.com/uptrace/bun"
	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/jobs"
	"github.com/erp-interventions/erp/migrations"
)

// sendArgs is the job of the test-only mailer module.
type sendArgs struct {
	To string `json:"to"`
}

func (sendArgs) Kind() string { return "mailer_send" }

// ghostArgs is the job of a module that stays disabled.
type ghostArgs struct{}

func (ghostArgs) Kind() string { return "ghost_haunt" }

// workerModule is a test-only module that registers one worker.
type workerModule[T river.JobArgs] struct {
	id   string
	host *module.Host
	runs atomic.Int64
}

var (
	_ module.Worker      = (*workerModule[sendArgs])(nil)
	_ module.Provisioner = (*workerModule[sendArgs])(nil)
)

func (m *workerModule[T]) Info() module.Info { return module.Info{ID: m.id} }

func (m *workerModule[T]) Provision(_ context.Context, h *module.Host) error {
	m.host = h
	return nil
}

func (m *workerModule[T]) Jobs(r *jobs.Registry) {
	jobs.AddWorker(r, river.WorkFunc(func(context.Context, *river.Job[T]) error {
		m.runs.Add(1)
		return nil
	}))
}

// fakeGuardModule publishes a guard that knows two tokens: "admin" has
// every permission, "tech" none.
type fakeGuardModule struct{}

func (fakeGuardModule) Info() module.Info { return module.Info{ID: "fakeguard"} }

func (fakeGuardModule) Provision(_ context.Context, h *module.Host) error {
	guard := func(req bunrouter.Request, op *httpx.Operation) (bunrouter.Request, error) {
		token, _ := auth.BearerToken(req.Request)
		switch token {
		case "admin":
			return req, nil
		case "tech":
			return req, httpx.Forbidden(op.Permission)
		}
		return req, httpx.Unauthorized("Authentification requise.")
	}
	return h.Services.Provide(httpx.GuardService, httpx.Guard(guard))
}

func jobsRegistry(t *testing.T) (*module.Registry, *workerModule[sendArgs],
	*workerModule[ghostArgs]) {
	t.Helper()
	mailer := &workerModule[sendArgs]{id: "mailer"}
	ghost := &workerModule[ghostArgs]{id: "ghost"}
	reg := module.NewRegistry()
	reg.MustAdd(mailer)
	reg.MustAdd(ghost)
	reg.MustAdd(fakeGuardModule{})
	return reg, mailer, ghost
}

func startJobsApp(t *testing.T, target dbtest.Target) (*apptest.Server,
	*workerModule[sendArgs], *workerModule[ghostArgs]) {
	t.Helper()
	reg, mailer, ghost := jobsRegistry(t)
	s := apptest.Start(t, apptest.Options{Registry: reg, DatabaseURL: target.URL,
		Enabled:   []string{"mailer", "fakeguard"},
		Overrides: map[string]any{"jobs.poll_interval": "50ms"}})
	return s, mailer, ghost
}

func TestEnabledModulesWorkTheirJobsAndDisabledOnesDoNot(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s, mailer, ghost := startJobsApp(t, target)
		ctx := context.Background()

		reg, err := s.App.JobRegistry()
		if err != nil || !slices.Equal(reg.Kinds(), []string{"mailer_send"}) {
			t.Fatalf("registered kinds = %v, %v; want only the enabled module's", reg.Kinds(),
				err)
		}
		if mailer.host == nil || mailer.host.Jobs == nil {
			t.Fatal("the module's host has no job client")
		}
		ghostJob, err := s.App.Jobs.Insert(ctx, ghostArgs{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		var sent int64
		err = mailer.host.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			res, err := mailer.host.Jobs.InsertTx(ctx, tx, sendArgs{To: "a@example.com"}, nil)
			if err == nil {
				sent = res.Job.ID
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		waitJob(t, s.App.Jobs, sent, rivertype.JobStateCompleted)
		if mailer.runs.Load() != 1 {
			t.Errorf("mailer worker ran %d times", mailer.runs.Load())
		}
		time.Sleep(300 * time.Millisecond) // several polls
		job, err := s.App.Jobs.Get(ctx, ghostJob.Job.ID)
		if err != nil || job.State != rivertype.JobStateAvailable || ghost.runs.Load() != 0 {
			t.Fatalf("disabled module's job is %v (runs %d, %v); want it left available",
				job.State, ghost.runs.Load(), err)
		}
	})
}

func waitJob(t *testing.T, c *jobs.Client, id int64, state rivertype.JobState) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		job, err := c.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if job.State == state {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("job %d never reached %s", id, state)
}

func TestRiverUIIsForAdministratorsOnly(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s, _, _ := startJobsApp(t, target)
		const api = "/admin/jobs/api/jobs?limit=5&state=available"

		cases := []struct {
			name, token string
			want        int
		}{
			{"NoTokenIsUnauthorized", "", http.StatusUnauthorized},
			{"TokenWithoutJobsAdminIsForbidden", "tech", http.StatusForbidden},
			{"AdminTokenIsServed", "admin", http.StatusOK},
		}
		for _, tc := range cases {
			r := s.Get(t, api, tc.token)
			if r.StatusCode != tc.want {
				t.Errorf("%s: %d, want %d: %s", tc.name, r.StatusCode, tc.want, r.Body)
			}
		}
		if r := s.Get(t, api, "admin"); !strings.Contains(string(r.Body), `"data"`) {
			t.Errorf("River UI job list = %s", r.Body)
		}
		page := s.Get(t, "/admin/jobs/", "admin")
		if page.StatusCode != 200 || !strings.Contains(string(page.Body), "<html") {
			t.Errorf("UI page = %d %.80s", page.StatusCode, page.Body)
		}
	})
}

func TestAdminCookieOpensTheUIInABrowser(t *testing.T) {
	t.Parallel()
	s, _, _ := startJobsApp(t, dbtest.SQLite(t))
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	do := func(method, path string, header map[string]string) *http.Response {
		req, _ := http.NewRequest(method, s.URL+path, nil)
		for k, v := range header {
			req.Header.Set(k, v)
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	page := do("GET", "/admin/jobs/", map[string]string{"Accept": "text/html"})
	if page.StatusCode != http.StatusSeeOther || page.Header.Get("Location") != "/admin/login" {
		t.Fatalf("anonymous page = %d to %q; want the sign-in page", page.StatusCode,
			page.Header.Get("Location"))
	}
	if r := do("POST", "/admin/login", map[string]string{"Authorization": "Bearer tech"}); r.
		StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without jobs:admin = %d", r.StatusCode)
	}
	login := do("POST", "/admin/login", map[string]string{"Authorization": "Bearer admin"})
	cookies := login.Cookies()
	if login.StatusCode != http.StatusNoContent || len(cookies) != 1 || !cookies[0].HttpOnly ||
		cookies[0].SameSite != http.SameSiteStrictMode {
		t.Fatalf("sign-in = %d with cookies %v", login.StatusCode, cookies)
	}
	cookie := map[string]string{"Cookie": cookies[0].Name + "=" + cookies[0].Value}
	if r := do("GET", "/admin/jobs/api/jobs?limit=1", cookie); r.StatusCode != 200 {
		t.Errorf("API with the cookie = %d", r.StatusCode)
	}
	cookie["Origin"] = "https://evil.example.com"
	if r := do("POST", "/admin/jobs/api/jobs/retry", cookie); r.StatusCode != 403 {
		t.Errorf("cross-site write with the cookie = %d, want 403", r.StatusCode)
	}
}

func TestReadinessWaitsForRiversMigrations(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		reg, _, _ := jobsRegistry(t)
		a := newApp(t, reg, map[string]any{"database.url": target.URL,
			"modules.enabled": []string{"fakeguard"}})
		ctx := context.Background()
		if _, err := a.Migrations().Up(ctx); err != nil {
			t.Fatal(err)
		}
		st, err := a.Migrations().Status(ctx)
		if err != nil || !slices.ContainsFunc(st, func(m migrations.Status) bool {
			return m.Module == jobs.MigrationsModule && m.Applied
		}) {
			t.Fatalf("migrate status lists no applied River migration: %+v %v", st, err)
		}
		// No enabled module has migrations, so River's set is the last one.
		down, err := a.Migrations().Down(ctx)
		if err != nil || len(down) != 1 || down[0].Module != jobs.MigrationsModule {
			t.Fatalf("down rolled back %v, %v; want River's last migration", down, err)
		}

		h, err := a.Handler()
		if err != nil {
			t.Fatal(err)
		}
		rec := newRecorder()
		h.ServeHTTP(rec, mustRequest(t, "GET", "/readyz"))
		if rec.Code != http.StatusServiceUnavailable {
			t.Fatalf("readyz with a River migration pending = %d", rec.Code)
		}
		if _, err := a.Migrations().Up(ctx); err != nil {
			t.Fatal(err)
		}
		rec = newRecorder()
		h.ServeHTTP(rec, mustRequest(t, "GET", "/readyz"))
		if rec.Code != http.StatusOK {
			t.Fatalf("readyz once migrated = %d %s", rec.Code, rec.Body)
		}
	})
}
