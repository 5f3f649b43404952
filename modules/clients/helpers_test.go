package clients_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/clients"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

// fakeStats stands in for the interventions module's "interventions.stats"
// service: it says how many interventions each client has.
type fakeStats struct {
	counts map[int64]int
}

func (f *fakeStats) Info() module.Info { return module.Info{ID: "fake_interventions"} }

func (f *fakeStats) Provision(_ context.Context, h *module.Host) error {
	return h.Services.Provide("interventions.stats", f)
}

func (f *fakeStats) CountForClient(_ context.Context, _ bun.IDB, id int64) (int, error) {
	return f.counts[id], nil
}

// env is a running app with one user of each role.
type env struct {
	s           *apptest.Server
	admin       string
	responsable string
	technicien  string
}

// start serves the users, auth and clients modules, plus extra modules.
func start(t *testing.T, target dbtest.Target, extra ...module.Module) env {
	t.Helper()
	reg := module.NewRegistry()
	for _, id := range []string{"users", "auth", clients.ID} {
		m, ok := module.Default.Get(id)
		if !ok {
			t.Fatalf("module %q is not registered", id)
		}
		reg.MustAdd(m)
	}
	for _, m := range extra {
		reg.MustAdd(m)
	}
	s := apptest.Start(t, apptest.Options{DatabaseURL: target.URL, Registry: reg})
	return env{
		s:           s,
		admin:       userstest.Create(t, s, coreauth.RoleAdmin, 0).Token,
		responsable: userstest.Create(t, s, coreauth.RoleResponsable, 0).Token,
		technicien:  userstest.Create(t, s, coreauth.RoleTechnicien, 0).Token,
	}
}

// create posts a client and returns it, failing the test unless it is 201.
func (e env) create(t *testing.T, body map[string]any) clients.ClientOut {
	t.Helper()
	r := e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/clients/",
		Body: body, Token: e.responsable})
	wantStatus(t, r, http.StatusCreated)
	var out clients.ClientOut
	r.JSON(t, &out)
	return out
}

func path(id int64) string { return "/api/v1/clients/" + strconv.FormatInt(id, 10) }

func wantStatus(t *testing.T, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.Request.Method, r.Request.URL,
			r.StatusCode, status, r.Body)
	}
}

// badFields returns the body fields a 400 names, in order.
func badFields(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	wantStatus(t, r, http.StatusBadRequest)
	var p struct {
		Errors []struct {
			Loc []string `json:"loc"`
		} `json:"errors"`
	}
	r.JSON(t, &p)
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Loc[len(e.Loc)-1])
	}
	return out
}
