package equipements_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/equipements"
	"github.com/erp-interventions/erp/modules/users/userstest"

	_ "github.com/erp-interventions/erp/modules/clients" // equipements requires clients
)

// env is a running app with two clients and a manager.
type env struct {
	s                 *apptest.Server
	admin             string
	clientA, clientB  int64
	clientUserA       string
	technicienToken   string
	responsableUserID int64
}

func start(t *testing.T, target dbtest.Target) env {
	t.Helper()
	reg := module.NewRegistry()
	for _, id := range []string{"users", "auth", "clients", equipements.ID} {
		m, ok := module.Default.Get(id)
		if !ok {
			t.Fatalf("module %q is not registered", id)
		}
		reg.MustAdd(m)
	}
	s := apptest.Start(t, apptest.Options{DatabaseURL: target.URL, Registry: reg})
	admin := userstest.Create(t, s, coreauth.RoleAdmin, 0)
	e := env{s: s, admin: admin.Token, responsableUserID: admin.ID,
		technicienToken: userstest.Create(t, s, coreauth.RoleTechnicien, 0).Token}
	e.clientA = e.newClient(t, "CLA")
	e.clientB = e.newClient(t, "CLB")
	e.clientUserA = userstest.Create(t, s, coreauth.RoleClient, e.clientA).Token
	return e
}

func (e env) newClient(t *testing.T, code string) int64 {
	t.Helper()
	r := e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/clients/",
		Token: e.admin, Body: map[string]any{"nom": "Client " + code, "code": code}})
	wantStatus(t, r, http.StatusCreated)
	var c struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &c)
	return c.ID
}

// create posts equipment and returns it, failing unless the answer is 201.
func (e env) create(t *testing.T, body map[string]any) equipements.EquipementOut {
	t.Helper()
	r := e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/equipements/",
		Body: body, Token: e.admin})
	wantStatus(t, r, http.StatusCreated)
	var out equipements.EquipementOut
	r.JSON(t, &out)
	return out
}

func path(id int64) string { return "/api/v1/equipements/" + strconv.FormatInt(id, 10) }

func wantStatus(t *testing.T, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", r.Request.Method, r.Request.URL,
			r.StatusCode, status, r.Body)
	}
}

// badFields returns the last element of each location a 400 names.
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
