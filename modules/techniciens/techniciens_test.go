package techniciens_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/techniciens"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

func TestTechnicienProfileLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		p := e.newTechnicien(t, "Alaoui", "Casablanca")
		if p.out.UserID != p.user.ID || !p.out.Actif || *p.out.Zone != "Casablanca" {
			t.Fatalf("created = %+v", p.out)
		}
		r := e.s.Get(t, path(p.out.ID), p.user.Token)
		wantStatus(t, r, http.StatusOK)
		if r.Header.Get("ETag") != `"1"` {
			t.Fatalf("ETag = %q", r.Header.Get("ETag"))
		}
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(p.out.ID),
			Token: e.admin, Header: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"actif": false, "prenom": "Omar", "zone": ""}})
		wantStatus(t, r, http.StatusOK)
		var got techniciens.TechnicienOut
		r.JSON(t, &got)
		if got.Actif || got.Prenom != "Omar" || got.Zone != nil || got.Version != 2 {
			t.Fatalf("patched = %+v", got)
		}
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(p.out.ID),
			Token: e.admin, Header: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"nom": "Trop tard"}})
		wantStatus(t, r, http.StatusPreconditionFailed)
		wantStatus(t, e.s.Do(t, apptest.Request{Method: http.MethodDelete,
			Path: path(p.out.ID), Token: e.admin}), http.StatusNoContent)
		wantStatus(t, e.s.Get(t, path(p.out.ID), e.admin), http.StatusNotFound)
	})
}

func TestTechnicienCreationChecksTheUser(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		p := e.newTechnicien(t, "Premier", "")
		responsable := userstest.Create(t, e.s, coreauth.RoleResponsable, 0)
		post := func(body map[string]any) *apptest.Response {
			return e.s.Do(t, apptest.Request{Method: http.MethodPost,
				Path: "/api/v1/techniciens/", Token: e.admin, Body: body})
		}
		got := badFields(t, post(map[string]any{"nom": "", "telephone": "abc"}))
		if !slices.Equal(got, []string{"user_id", "nom", "prenom", "telephone"}) {
			t.Fatalf("bad fields = %q", got)
		}
		for _, uid := range []int64{responsable.ID, p.user.ID + 1000} {
			r := post(map[string]any{"user_id": uid, "nom": "N", "prenom": "P"})
			if got := badFields(t, r); !slices.Equal(got, []string{"user_id"}) {
				t.Fatalf("user %d: bad fields = %q", uid, got)
			}
		}
		r := post(map[string]any{"user_id": p.user.ID, "nom": "Double", "prenom": "P"})
		wantStatus(t, r, http.StatusConflict)
	})
}

func TestTechnicienEditsOnlyTheirOwnContactFields(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		me := e.newTechnicien(t, "Moi", "Rabat")
		other := e.newTechnicien(t, "Autre", "Fès")

		r := e.s.Get(t, "/api/v1/techniciens/moi", me.user.Token)
		wantStatus(t, r, http.StatusOK)
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: "/api/v1/techniciens/moi",
			Token: me.user.Token, Header: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"telephone": "+212 661 00 00 00", "zone": "Tanger"}})
		wantStatus(t, r, http.StatusOK)
		var got techniciens.TechnicienOut
		r.JSON(t, &got)
		if got.ID != me.out.ID || *got.Zone != "Tanger" || *got.Telephone != "+212 661 00 00 00" {
			t.Fatalf("own contact update = %+v", got)
		}

		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: "/api/v1/techniciens/moi",
			Token: me.user.Token, Body: map[string]any{"nom": "Changé"}})
		if got := badFields(t, r); !slices.Equal(got, []string{"nom"}) {
			t.Fatalf("non-contact field: %q", got)
		}
		for _, id := range []int64{me.out.ID, other.out.ID} {
			r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(id),
				Token: me.user.Token, Body: map[string]any{"zone": "Agadir"}})
			wantStatus(t, r, http.StatusForbidden)
		}
		// A technician reads any technician.
		wantStatus(t, e.s.Get(t, path(other.out.ID), me.user.Token), http.StatusOK)
		// Neither a manager without a profile nor a client may use /moi.
		wantStatus(t, e.s.Get(t, "/api/v1/techniciens/moi", e.admin), http.StatusForbidden)
		noProfile := userstest.Create(t, e.s, coreauth.RoleTechnicien, 0)
		wantStatus(t, e.s.Get(t, "/api/v1/techniciens/moi", noProfile.Token),
			http.StatusNotFound)
		client := userstest.Create(t, e.s, coreauth.RoleClient, 1)
		wantStatus(t, e.s.Get(t, "/api/v1/techniciens/", client.Token), http.StatusForbidden)
	})
}

func TestCompetenceCatalogue(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		base := "/api/v1/techniciens/competences/"
		r := e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: base, Token: e.admin,
			Body: map[string]any{"code": "soudure", "libelle": "Soudure à l'arc"}})
		wantStatus(t, r, http.StatusCreated)
		var c techniciens.CompetenceOut
		r.JSON(t, &c)
		one := base + itoa(c.ID)
		if r.Header.Get("Location") != "/api/v1/techniciens/competences/"+itoa(c.ID) {
			t.Fatalf("Location = %q", r.Header.Get("Location"))
		}
		r = e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: base, Token: e.admin,
			Body: map[string]any{"code": "soudure", "libelle": "Encore"}})
		wantStatus(t, r, http.StatusConflict)
		r = e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: base, Token: e.admin,
			Body: map[string]any{"code": "Pas Bon", "libelle": ""}})
		if got := badFields(t, r); !slices.Equal(got, []string{"code", "libelle"}) {
			t.Fatalf("bad fields = %q", got)
		}
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: one, Token: e.admin,
			Body: map[string]any{"libelle": "Soudure TIG"}})
		wantStatus(t, r, http.StatusOK)
		r = e.s.Get(t, base, e.admin)
		wantStatus(t, r, http.StatusOK)
		var list []techniciens.CompetenceOut
		r.JSON(t, &list)
		if len(list) != 1 || list[0].Libelle != "Soudure TIG" {
			t.Fatalf("catalogue = %+v", list)
		}

		p := e.newTechnicien(t, "Soudeur", "")
		wantStatus(t, e.setCompetences(t, p.out.ID, []map[string]any{
			{"competence": "soudure", "niveau": 2}}), http.StatusOK)
		wantStatus(t, e.s.Do(t, apptest.Request{Method: http.MethodDelete, Path: one,
			Token: e.admin}), http.StatusConflict)
		wantStatus(t, e.setCompetences(t, p.out.ID, []map[string]any{}), http.StatusOK)
		wantStatus(t, e.s.Do(t, apptest.Request{Method: http.MethodDelete, Path: one,
			Token: e.admin}), http.StatusNoContent)
		wantStatus(t, e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: base,
			Token: p.user.Token, Body: map[string]any{"code": "x1", "libelle": "X1"}}),
			http.StatusForbidden)
	})
}

func TestTechnicienCompetencesAreReplacedAsAWhole(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		e.newCompetence(t, "soudure")
		e.newCompetence(t, "electricite")
		p := e.newTechnicien(t, "Tech", "")
		r := e.setCompetences(t, p.out.ID, []map[string]any{
			{"competence": "soudure", "niveau": 3, "date_expiration": "2020-01-31"},
			{"competence": "electricite", "niveau": 1},
		})
		wantStatus(t, r, http.StatusOK)
		var held []techniciens.TechnicienCompetenceOut
		r.JSON(t, &held)
		if len(held) != 2 || held[0].Competence != "electricite" || held[1].Niveau != 3 ||
			*held[1].DateExpiration != "2020-01-31" || !held[1].Expiree || held[0].Expiree {
			t.Fatalf("held = %+v", held)
		}
		r = e.setCompetences(t, p.out.ID, []map[string]any{
			{"competence": "soudure", "niveau": 5},
			{"competence": "soudure", "niveau": 2, "date_expiration": "31/01/2020"},
			{"competence": "", "niveau": 1},
		})
		want := []string{"competences.0.niveau", "competences.1.competence",
			"competences.1.date_expiration", "competences.2.competence"}
		if got := badFields(t, r); !slices.Equal(got, want) {
			t.Fatalf("bad fields = %q", got)
		}
		r = e.setCompetences(t, p.out.ID, []map[string]any{{"competence": "plomberie",
			"niveau": 2}})
		if got := badFields(t, r); !slices.Equal(got, []string{"competences.0.competence"}) {
			t.Fatalf("unknown code: %q", got)
		}
		r = e.s.Get(t, path(p.out.ID)+"/competences", p.user.Token)
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &held)
		if len(held) != 2 {
			t.Fatalf("a refused PUT changed the list: %+v", held)
		}
		wantStatus(t, e.setCompetences(t, p.out.ID+99, nil), http.StatusBadRequest)
		wantStatus(t, e.setCompetences(t, p.out.ID+99, []map[string]any{}),
			http.StatusNotFound)
	})
}

func TestTechnicienListFilters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		stats := &fakeStats{}
		e := start(t, target, stats)
		e.newCompetence(t, "soudure")
		a := e.newTechnicien(t, "Amrani", "Casablanca")
		b := e.newTechnicien(t, "Bennani", "Rabat")
		c := e.newTechnicien(t, "Chraibi", "Casablanca")
		e.newTechnicien(t, "Doukkali", "Rabat")
		future := time.Now().AddDate(1, 0, 0).Format("2006-01-02")
		for _, s := range []struct {
			id     int64
			niveau int
			exp    string
		}{{a.out.ID, 4, ""}, {b.out.ID, 2, future}, {c.out.ID, 4, "2020-01-01"}} {
			item := map[string]any{"competence": "soudure", "niveau": s.niveau}
			if s.exp != "" {
				item["date_expiration"] = s.exp
			}
			wantStatus(t, e.setCompetences(t, s.id, []map[string]any{item}), http.StatusOK)
		}
		wantStatus(t, e.s.Do(t, apptest.Request{Method: http.MethodPatch,
			Path: path(b.out.ID), Token: e.admin, Body: map[string]any{"actif": false}}),
			http.StatusOK)
		stats.busy = []int64{a.out.ID, b.out.ID}

		cases := map[string][]string{
			"":                                  {"Amrani", "Bennani", "Chraibi", "Doukkali"},
			"?competence=soudure":               {"Amrani", "Bennani"},
			"?competence=soudure&niveau_min=3":  {"Amrani"},
			"?competence=plomberie":             nil,
			"?zone=Casablanca":                  {"Amrani", "Chraibi"},
			"?actif=false":                      {"Bennani"},
			"?disponible=true":                  {"Chraibi", "Doukkali"},
			"?disponible=false&zone=Rabat":      {"Bennani"},
			"?sort=-nom&limit=2&offset=1":       {"Chraibi", "Bennani"},
			"?zone=Rabat&actif=true&sort=-zone": {"Doukkali"},
		}
		for query, want := range cases {
			got := names(t, e.s.Get(t, "/api/v1/techniciens/"+query, e.admin))
			if !slices.Equal(got, want) {
				t.Errorf("%q: %q, want %q", query, got, want)
			}
		}
		r := e.s.Get(t, "/api/v1/techniciens/?limit=3", e.admin)
		if r.Header.Get("X-Total-Count") != "4" || r.Header.Get("Link") == "" {
			t.Fatalf("paging headers: %v", r.Header)
		}
		r = e.s.Get(t, "/api/v1/techniciens/?niveau_min=9&disponible=oui&sort=age", e.admin)
		want := []string{"niveau_min", "disponible", "sort"}
		if got := badFields(t, r); !slices.Equal(got, want) {
			t.Fatalf("bad query: %q", got)
		}
		r = e.s.Get(t, "/api/v1/techniciens/?niveau_min=2", e.admin)
		if got := badFields(t, r); !slices.Equal(got, []string{"niveau_min"}) {
			t.Fatalf("niveau_min alone: %q", got)
		}
	})
}

func TestDisponibleWithoutInterventionsModule(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		e.newTechnicien(t, "Seul", "")
		got := names(t, e.s.Get(t, "/api/v1/techniciens/?disponible=true", e.admin))
		if !slices.Equal(got, []string{"Seul"}) {
			t.Fatalf("disponible=true without interventions: %q", got)
		}
		got = names(t, e.s.Get(t, "/api/v1/techniciens/?disponible=false", e.admin))
		if got != nil {
			t.Fatalf("disponible=false without interventions: %q", got)
		}
	})
}

func TestDisponibleWithRealInterventions(t *testing.T) {
	if _, ok := module.Default.Get("interventions"); !ok {
		t.Skip("the interventions module is not registered in this test binary; " +
			"TestTechnicienListFilters covers disponible through a stand-in " +
			"interventions.stats service")
	}
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := apptest.Start(t, apptest.Options{DatabaseURL: target.URL})
		stats, err := module.Service[interface {
			BusyTechniciens(ctx context.Context, db bun.IDB) ([]int64, error)
		}](s.App.Services, "interventions.stats")
		if err != nil {
			t.Fatal(err)
		}
		busy, err := stats.BusyTechniciens(context.Background(), s.App.DB)
		if err != nil || len(busy) != 0 {
			t.Fatalf("BusyTechniciens on an empty database = %v, %v", busy, err)
		}
	})
}

// profiles is "techniciens.service" as the interventions module sees it.
type profiles interface {
	Technicien(ctx context.Context, db bun.IDB, id int64) (userID int64, actif bool, err error)
	TechnicienOfUser(ctx context.Context, db bun.IDB, userID int64) (int64, error)
	MissingCompetences(ctx context.Context, db bun.IDB, technicienID int64, codes []string,
		at time.Time) ([]string, error)
}

func TestTechniciensService(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		svc, err := module.Service[profiles](e.s.App.Services, techniciens.ServiceName)
		if err != nil {
			t.Fatal(err)
		}
		ctx, db := context.Background(), e.s.App.DB
		for _, code := range []string{"soudure", "habilitation_electrique", "levage"} {
			e.newCompetence(t, code)
		}
		p := e.newTechnicien(t, "Service", "")
		wantStatus(t, e.setCompetences(t, p.out.ID, []map[string]any{
			{"competence": "soudure", "niveau": 2},
			{"competence": "habilitation_electrique", "niveau": 3,
				"date_expiration": "2026-01-31"},
		}), http.StatusOK)

		uid, actif, err := svc.Technicien(ctx, db, p.out.ID)
		if err != nil || uid != p.user.ID || !actif {
			t.Fatalf("Technicien = %d, %v, %v", uid, actif, err)
		}
		if _, _, err := svc.Technicien(ctx, db, p.out.ID+9); !errors.Is(err,
			httpx.ErrNotFound) {
			t.Fatalf("missing Technicien: %v", err)
		}
		if id, err := svc.TechnicienOfUser(ctx, db, p.user.ID); err != nil || id != p.out.ID {
			t.Fatalf("TechnicienOfUser = %d, %v", id, err)
		}
		if _, err := svc.TechnicienOfUser(ctx, db, p.user.ID+9); !errors.Is(err,
			httpx.ErrNotFound) {
			t.Fatalf("TechnicienOfUser without profile: %v", err)
		}

		codes := []string{"soudure", "habilitation_electrique", "levage", "xyz", "soudure"}
		day := func(s string) time.Time { d, _ := time.Parse("2006-01-02", s); return d }
		got, err := svc.MissingCompetences(ctx, db, p.out.ID, codes, day("2026-01-31"))
		want := []string{"levage (absente)", "xyz (inconnue)"}
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("on the expiry day: %q, %v; want %q", got, err, want)
		}
		got, _ = svc.MissingCompetences(ctx, db, p.out.ID, codes, day("2026-02-01"))
		want = []string{"habilitation_electrique (expirée le 2026-01-31)", "levage (absente)",
			"xyz (inconnue)"}
		if !slices.Equal(got, want) {
			t.Fatalf("after expiry: %q; want %q", got, want)
		}
		got, _ = svc.MissingCompetences(ctx, db, p.out.ID, []string{"soudure"}, time.Now())
		if len(got) != 0 {
			t.Fatalf("all held: %q", got)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
