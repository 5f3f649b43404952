package clients_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/clients"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

func TestClientLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		r := e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/clients",
			Token: e.admin, Body: map[string]any{"nom": " Société Chérifienne des Pompes ",
				"code": "scp-casa", "ville": "Casablanca", "email": "contact@scp.ma"}})
		wantStatus(t, r, http.StatusCreated)
		var c clients.ClientOut
		r.JSON(t, &c)
		if c.Code != "SCP-CASA" || c.Nom != "Société Chérifienne des Pompes" || !c.Actif ||
			c.Version != 1 || c.Adresse != nil || *c.Ville != "Casablanca" {
			t.Fatalf("created client = %+v", c)
		}
		if loc := r.Header.Get("Location"); loc != path(c.ID) {
			t.Fatalf("Location = %q", loc)
		}

		r = e.s.Get(t, path(c.ID), e.responsable)
		wantStatus(t, r, http.StatusOK)
		if r.Header.Get("ETag") != `"1"` {
			t.Fatalf("ETag = %q", r.Header.Get("ETag"))
		}

		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(c.ID),
			Token: e.responsable, Header: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"actif": false, "ville": "", "telephone": "+212 522 00 11 22"}})
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &c)
		if c.Actif || c.Ville != nil || *c.Telephone != "+212 522 00 11 22" || c.Version != 2 ||
			c.Email == nil || r.Header.Get("ETag") != `"2"` {
			t.Fatalf("patched client = %+v, ETag %q", c, r.Header.Get("ETag"))
		}

		r = e.s.Do(t, apptest.Request{Method: http.MethodDelete, Path: path(c.ID),
			Token: e.admin})
		wantStatus(t, r, http.StatusNoContent)
		wantStatus(t, e.s.Get(t, path(c.ID), e.admin), http.StatusNotFound)
	})
}

func TestClientStaleIfMatchIsRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		c := e.create(t, map[string]any{"nom": "Atlas Froid", "code": "ATF"})
		patch := func(etag string) *apptest.Response {
			return e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(c.ID),
				Token: e.responsable, Header: map[string]string{"If-Match": etag},
				Body: map[string]any{"nom": "Atlas Froid " + etag}})
		}
		wantStatus(t, patch(`"1"`), http.StatusOK)
		r := patch(`"1"`)
		wantStatus(t, r, http.StatusPreconditionFailed)
		if r.Header.Get("ETag") != `"2"` || r.Problem(t)["version"] != float64(2) {
			t.Fatalf("412 answer: ETag %q, body %s", r.Header.Get("ETag"), r.Body)
		}
		wantStatus(t, patch(`W/"2"`), http.StatusPreconditionFailed)
		wantStatus(t, patch(`"7", "2"`), http.StatusOK)
		wantStatus(t, patch(`*`), http.StatusOK)
		r = e.s.Do(t, apptest.Request{Method: http.MethodDelete, Path: path(c.ID),
			Token: e.admin, Header: map[string]string{"If-Match": `"1"`}})
		wantStatus(t, r, http.StatusPreconditionFailed)
	})
}

func TestClientValidationNamesEveryBadField(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		cases := []struct {
			name   string
			method string
			body   any
			want   []string
		}{
			{"MissingRequiredFields", http.MethodPost, map[string]any{}, []string{"nom", "code"}},
			{"BadFormats", http.MethodPost, map[string]any{"nom": "X", "code": "a b",
				"email": "pas-un-email", "telephone": "abc", "ville": strings.Repeat("v", 101)},
				[]string{"nom", "code", "ville", "telephone", "email"}},
			{"UnknownField", http.MethodPost, map[string]any{"nom": "Nom", "code": "CD",
				"siret": "1"}, []string{"siret"}},
			{"WrongType", http.MethodPost, map[string]any{"nom": 3, "code": "CD"},
				[]string{"nom"}},
			{"EmptyBody", http.MethodPost, "", []string{"body"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				r := e.s.Do(t, apptest.Request{Method: tc.method, Path: "/api/v1/clients/",
					Token: e.admin, Body: tc.body,
					Header: map[string]string{"Content-Type": "application/json"}})
				if got := badFields(t, r); !slices.Equal(got, tc.want) {
					t.Fatalf("bad fields = %q, want %q", got, tc.want)
				}
			})
		}

		c := e.create(t, map[string]any{"nom": "Valide", "code": "VAL"})
		r := e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(c.ID),
			Token: e.admin, Body: map[string]any{"nom": "", "code": "-x", "email": "a@"}})
		if got := badFields(t, r); !slices.Equal(got, []string{"nom", "code", "email"}) {
			t.Fatalf("PATCH bad fields = %q", got)
		}
		r = e.s.Get(t, "/api/v1/clients/abc", e.admin)
		if got := badFields(t, r); !slices.Equal(got, []string{"id"}) {
			t.Fatalf("bad path id fields = %q", got)
		}
		r = e.s.Get(t, "/api/v1/clients/?actif=peut-etre&sort=ville&limit=0", e.admin)
		if got := badFields(t, r); !slices.Equal(got, []string{"limit"}) {
			t.Fatalf("bad paging fields = %q", got)
		}
		r = e.s.Get(t, "/api/v1/clients/?actif=peut-etre&sort=ville", e.admin)
		if got := badFields(t, r); !slices.Equal(got, []string{"actif", "sort"}) {
			t.Fatalf("bad query fields = %q", got)
		}
	})
}

func TestClientDuplicateCodeIsAConflict(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		e.create(t, map[string]any{"nom": "Premier", "code": "DUP"})
		other := e.create(t, map[string]any{"nom": "Second", "code": "AUTRE"})
		r := e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/clients/",
			Token: e.admin, Body: map[string]any{"nom": "Doublon", "code": "dup"}})
		wantStatus(t, r, http.StatusConflict)
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(other.ID),
			Token: e.admin, Body: map[string]any{"code": "Dup"}})
		wantStatus(t, r, http.StatusConflict)
	})
}

func TestClientUserSeesOnlyItsOrganisation(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		own := e.create(t, map[string]any{"nom": "Mon Organisation", "code": "MOI"})
		other := e.create(t, map[string]any{"nom": "Autre Organisation", "code": "AUTRE"})
		u := userstest.Create(t, e.s, coreauth.RoleClient, own.ID)

		r := e.s.Get(t, "/api/v1/clients/", u.Token)
		wantStatus(t, r, http.StatusOK)
		var list []clients.ClientOut
		r.JSON(t, &list)
		if len(list) != 1 || list[0].ID != own.ID || r.Header.Get("X-Total-Count") != "1" {
			t.Fatalf("client user's list = %+v (total %s)", list, r.Header.Get("X-Total-Count"))
		}
		wantStatus(t, e.s.Get(t, path(own.ID), u.Token), http.StatusOK)
		wantStatus(t, e.s.Get(t, path(other.ID), u.Token), http.StatusNotFound)

		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(own.ID),
			Token: u.Token, Body: map[string]any{"nom": "Piratage"}})
		wantStatus(t, r, http.StatusForbidden)
		if r.Problem(t)["permission"] != coreauth.ClientsWrite {
			t.Fatalf("403 body = %s", r.Body)
		}
	})
}

func TestClientWritesNeedClientsWrite(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		c := e.create(t, map[string]any{"nom": "Cible", "code": "CIBLE"})
		reqs := []apptest.Request{
			{Method: http.MethodPost, Path: "/api/v1/clients/",
				Body: map[string]any{"nom": "Nouveau", "code": "NEW"}},
			{Method: http.MethodPatch, Path: path(c.ID), Body: map[string]any{"nom": "Autre"}},
			{Method: http.MethodDelete, Path: path(c.ID)},
		}
		for _, req := range reqs {
			req.Token = e.technicien
			wantStatus(t, e.s.Do(t, req), http.StatusForbidden)
			req.Token = ""
			wantStatus(t, e.s.Do(t, req), http.StatusUnauthorized)
		}
		// A technician may read clients: they work on their sites.
		wantStatus(t, e.s.Get(t, path(c.ID), e.technicien), http.StatusOK)
	})
}

func TestClientListFiltersSortsAndPages(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		for i, nom := range []string{"Delta Industrie", "Alpha Énergie", "Charlie 50%",
			"Bravo Textile", "Echo Mines"} {
			e.create(t, map[string]any{"nom": nom, "code": "C" + strconv.Itoa(i),
				"actif": i != 4})
		}
		names := func(query string) ([]string, *apptest.Response) {
			r := e.s.Get(t, "/api/v1/clients/"+query, e.admin)
			wantStatus(t, r, http.StatusOK)
			var list []clients.ClientOut
			r.JSON(t, &list)
			var out []string
			for _, c := range list {
				out = append(out, c.Nom)
			}
			return out, r
		}
		got, r := names("?limit=2&offset=1")
		if !slices.Equal(got, []string{"Bravo Textile", "Charlie 50%"}) ||
			r.Header.Get("X-Total-Count") != "5" {
			t.Fatalf("page = %q, total %s", got, r.Header.Get("X-Total-Count"))
		}
		link := r.Header.Get("Link")
		if !containsAll(link, `rel="next"`, `rel="prev"`, "offset=3", "offset=0") {
			t.Fatalf("Link = %q", link)
		}
		if got, _ := names("?actif=false"); !slices.Equal(got, []string{"Echo Mines"}) {
			t.Fatalf("actif=false: %q", got)
		}
		if got, _ := names("?q=ALPHA"); !slices.Equal(got, []string{"Alpha Énergie"}) {
			t.Fatalf("q=ALPHA: %q", got)
		}
		if got, _ := names("?q=50%25"); !slices.Equal(got, []string{"Charlie 50%"}) {
			t.Fatalf("q=50%%: %q", got)
		}
		got, _ = names("?sort=-code&limit=2")
		if !slices.Equal(got, []string{"Echo Mines", "Bravo Textile"}) {
			t.Fatalf("sort=-code: %q", got)
		}
	})
}

func TestClientWithInterventionsCannotBeDeleted(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		stats := &fakeStats{counts: map[int64]int{}}
		e := start(t, target, stats)
		busy := e.create(t, map[string]any{"nom": "Client Occupé", "code": "BUSY"})
		stats.counts[busy.ID] = 3

		r := e.s.Do(t, apptest.Request{Method: http.MethodDelete, Path: path(busy.ID),
			Token: e.admin})
		wantStatus(t, r, http.StatusConflict)
		if p := r.Problem(t); !containsAll(p["detail"].(string), "3 intervention") {
			t.Fatalf("409 body = %s", r.Body)
		}
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(busy.ID),
			Token: e.admin, Body: map[string]any{"actif": false}})
		wantStatus(t, r, http.StatusOK)
	})
}

func TestClientsServiceExists(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		c := e.create(t, map[string]any{"nom": "Existe", "code": "EXISTE", "actif": false})
		type exister interface {
			Exists(ctx context.Context, db bun.IDB, id int64) (bool, error)
		}
		svc, err := module.Service[exister](e.s.App.Services, clients.ServiceName)
		if err != nil {
			t.Fatal(err)
		}
		for id, want := range map[int64]bool{c.ID: true, c.ID + 100: false} {
			got, err := svc.Exists(context.Background(), e.s.App.DB, id)
			if err != nil || got != want {
				t.Fatalf("Exists(%d) = %v, %v; want %v", id, got, err, want)
			}
		}
	})
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
