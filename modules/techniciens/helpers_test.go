package techniciens_test

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
	"github.com/erp-interventions/erp/modules/techniciens"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

// fakeStats stands in for the interventions module's "interventions.stats"
// service: it says which technicians are busy.
type fakeStats struct {
	busy []int64
}

func (f *fakeStats) Info() module.Info { return module.Info{ID: "fake_interventions"} }

func (f *fakeStats) Provision(_ context.Context, h *module.Host) error {
	return h.Services.Provide("interventions.stats", f)
}

func (f *fakeStats) BusyTechniciens(context.Context, bun.IDB) ([]int64, error) {
	return f.busy, nil
}

// env is a running app with a manager's token.
type env struct {
	s     *apptest.Server
	admin string
}

// start serves the users, auth and techniciens modules, plus extra modules.
func start(t *testing.T, target dbtest.Target, extra ...module.Module) env {
	t.Helper()
	reg := module.NewRegistry()
	for _, id := range []string{"users", "auth", techniciens.ID} {
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
	return env{s: s, admin: userstest.Create(t, s, coreauth.RoleResponsable, 0).Token}
}

// profile is a technician user with their profile.
type profile struct {
	user userstest.User
	out  techniciens.TechnicienOut
}

// newTechnicien creates a technician user and their profile.
func (e env) newTechnicien(t *testing.T, nom, zone string) profile {
	t.Helper()
	u := userstest.Create(t, e.s, coreauth.RoleTechnicien, 0)
	r := e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/techniciens/",
		Token: e.admin, Body: map[string]any{"user_id": u.ID, "nom": nom, "prenom": "P",
			"zone": zone}})
	wantStatus(t, r, http.StatusCreated)
	p := profile{user: u}
	r.JSON(t, &p.out)
	return p
}

func (e env) newCompetence(t *testing.T, code string) {
	t.Helper()
	r := e.s.Do(t, apptest.Request{Method: http.MethodPost,
		Path: "/api/v1/techniciens/competences/", Token: e.admin,
		Body: map[string]any{"code": code, "libelle": "Libellé " + code}})
	wantStatus(t, r, http.StatusCreated)
}

func (e env) setCompetences(t *testing.T, id int64, list []map[string]any) *apptest.Response {
	t.Helper()
	return e.s.Do(t, apptest.Request{Method: http.MethodPut,
		Path: path(id) + "/competences", Token: e.admin,
		Body: map[string]any{"competences": list}})
}

func path(id int64) string { return "/api/v1/techniciens/" + strconv.FormatInt(id, 10) }

func wantStatus(t *testing.T, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.Request.Method, r.Request.URL,
			r.StatusCode, status, r.Body)
	}
}

// badFields returns the location of each field a 400 names, joined by dots
// after "body" or "query".
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
		s := ""
		for i, l := range e.Loc[1:] {
			if i > 0 {
				s += "."
			}
			s += l
		}
		out = append(out, s)
	}
	return out
}

// names lists the nom of each technician a list answer holds.
func names(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	var list []techniciens.TechnicienOut
	r.JSON(t, &list)
	var out []string
	for _, p := range list {
		out = append(out, p.Nom)
	}
	return out
}
