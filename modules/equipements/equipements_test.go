package equipements_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/equipements"
)

func TestEquipementLifecycle(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		eq := e.create(t, map[string]any{"client_id": e.clientA, "nom": "Pompe principale",
			"numero_serie": "PX-1", "categorie": "pompe", "date_mise_en_service": "2024-03-15",
			"criticite": "haute"})
		if eq.Statut != equipements.EnService || eq.Criticite != equipements.Haute ||
			*eq.DateMiseEnService != "2024-03-15" || eq.Version != 1 {
			t.Fatalf("created = %+v", eq)
		}
		r := e.s.Get(t, path(eq.ID), e.admin)
		wantStatus(t, r, http.StatusOK)
		if r.Header.Get("ETag") != `"1"` {
			t.Fatalf("ETag = %q", r.Header.Get("ETag"))
		}

		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(eq.ID),
			Token: e.admin, Header: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"statut": "en_panne", "motif": "Fuite au joint",
				"date_mise_en_service": "", "marque": "Grundfos"}})
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &eq)
		if eq.Statut != equipements.EnPanne || eq.DateMiseEnService != nil ||
			*eq.Marque != "Grundfos" || eq.Version != 2 {
			t.Fatalf("patched = %+v", eq)
		}
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(eq.ID),
			Token: e.admin, Header: map[string]string{"If-Match": `"1"`},
			Body: map[string]any{"nom": "Trop tard"}})
		wantStatus(t, r, http.StatusPreconditionFailed)

		wantStatus(t, e.s.Do(t, apptest.Request{Method: http.MethodDelete, Path: path(eq.ID),
			Token: e.admin}), http.StatusNoContent)
		wantStatus(t, e.s.Get(t, path(eq.ID), e.admin), http.StatusNotFound)
	})
}

func TestEquipementHistoryKeepsEveryStatusChange(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		eq := e.create(t, map[string]any{"client_id": e.clientA, "nom": "Compresseur",
			"numero_serie": "CP-9"})
		patch := func(body map[string]any) {
			wantStatus(t, e.s.Do(t, apptest.Request{Method: http.MethodPatch,
				Path: path(eq.ID), Token: e.admin, Body: body}), http.StatusOK)
		}
		patch(map[string]any{"statut": "en_panne", "motif": "Surchauffe"})
		patch(map[string]any{"nom": "Compresseur 2"}) // no status change, no entry
		patch(map[string]any{"statut": "en_panne"})   // same status, no entry

		svc := service(t, e)
		err := svc.SetStatut(context.Background(), e.s.App.DB, eq.ID, "en_maintenance",
			"Intervention démarrée", 77, e.responsableUserID)
		if err != nil {
			t.Fatal(err)
		}

		r := e.s.Get(t, path(eq.ID)+"/historique", e.clientUserA)
		wantStatus(t, r, http.StatusOK)
		var h []equipements.EquipementHistoriqueOut
		r.JSON(t, &h)
		if len(h) != 3 || r.Header.Get("X-Total-Count") != "3" {
			t.Fatalf("history = %+v", h)
		}
		if h[0].AncienStatut != nil || h[0].NouveauStatut != equipements.EnService ||
			*h[1].AncienStatut != equipements.EnService || *h[1].Motif != "Surchauffe" ||
			h[1].UserID == nil || h[2].NouveauStatut != equipements.EnMaintenance ||
			*h[2].InterventionID != 77 || *h[2].UserID != e.responsableUserID {
			t.Fatalf("history = %+v", h)
		}
		wantStatus(t, e.s.Get(t, path(eq.ID)+"/historique", ""), http.StatusUnauthorized)
	})
}

func TestEquipementValidationNamesEveryBadField(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		post := func(body map[string]any) *apptest.Response {
			return e.s.Do(t, apptest.Request{Method: http.MethodPost,
				Path: "/api/v1/equipements/", Token: e.admin, Body: body})
		}
		got := badFields(t, post(map[string]any{"nom": " ", "criticite": "extreme",
			"statut": "cassé", "date_mise_en_service": "15/03/2024",
			"modele": strings.Repeat("m", 101)}))
		want := []string{"client_id", "nom", "numero_serie", "modele",
			"date_mise_en_service", "criticite", "statut"}
		if !slices.Equal(got, want) {
			t.Fatalf("bad fields = %q, want %q", got, want)
		}
		got = badFields(t, post(map[string]any{"client_id": e.clientB + 99, "nom": "Nom",
			"numero_serie": "S"}))
		if !slices.Equal(got, []string{"client_id"}) {
			t.Fatalf("unknown client: %q", got)
		}
		eq := e.create(t, map[string]any{"client_id": e.clientA, "nom": "Nom",
			"numero_serie": "S"})
		r := e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(eq.ID),
			Token: e.admin, Body: map[string]any{"motif": "Sans statut", "client_id": 3}})
		if got := badFields(t, r); !slices.Equal(got, []string{"client_id"}) {
			t.Fatalf("PATCH client_id: %q", got)
		}
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(eq.ID),
			Token: e.admin, Body: map[string]any{"motif": "Sans statut", "statut": "x"}})
		if got := badFields(t, r); !slices.Equal(got, []string{"statut"}) {
			t.Fatalf("PATCH statut: %q", got)
		}
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(eq.ID),
			Token: e.admin, Body: map[string]any{"motif": "Sans statut"}})
		if got := badFields(t, r); !slices.Equal(got, []string{"motif"}) {
			t.Fatalf("PATCH motif alone: %q", got)
		}
		r = e.s.Get(t, "/api/v1/equipements/?statut=en_service,casse&criticite=x&sort=y"+
			"&client_id=z", e.admin)
		want = []string{"client_id", "statut", "criticite", "sort"}
		if got := badFields(t, r); !slices.Equal(got, want) {
			t.Fatalf("query: %q", got)
		}
	})
}

func TestEquipementSerialIsUniquePerClient(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		e.create(t, map[string]any{"client_id": e.clientA, "nom": "Pompe", "numero_serie": "S1"})
		e.create(t, map[string]any{"client_id": e.clientB, "nom": "Pompe", "numero_serie": "S1"})
		r := e.s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/equipements/",
			Token: e.admin, Body: map[string]any{"client_id": e.clientA, "nom": "Autre",
				"numero_serie": "S1"}})
		wantStatus(t, r, http.StatusConflict)
		other := e.create(t, map[string]any{"client_id": e.clientA, "nom": "Autre",
			"numero_serie": "S2"})
		r = e.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: path(other.ID),
			Token: e.admin, Body: map[string]any{"numero_serie": "S1"}})
		wantStatus(t, r, http.StatusConflict)
	})
}

func TestEquipementClientUserReadsOnlyItsOwn(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		own := e.create(t, map[string]any{"client_id": e.clientA, "nom": "A1",
			"numero_serie": "A1"})
		other := e.create(t, map[string]any{"client_id": e.clientB, "nom": "B1",
			"numero_serie": "B1"})
		r := e.s.Get(t, "/api/v1/equipements/", e.clientUserA)
		wantStatus(t, r, http.StatusOK)
		var list []equipements.EquipementOut
		r.JSON(t, &list)
		if len(list) != 1 || list[0].ID != own.ID || r.Header.Get("X-Total-Count") != "1" {
			t.Fatalf("client's list = %+v", list)
		}
		r = e.s.Get(t, "/api/v1/equipements/?client_id=0", e.clientUserA)
		wantStatus(t, r, http.StatusBadRequest)
		r = e.s.Get(t, "/api/v1/equipements/?client_id="+itoa(e.clientB), e.clientUserA)
		r.JSON(t, &list)
		if len(list) != 0 {
			t.Fatalf("client filtering on another client = %+v", list)
		}
		wantStatus(t, e.s.Get(t, path(other.ID), e.clientUserA), http.StatusNotFound)
		wantStatus(t, e.s.Get(t, path(other.ID)+"/historique", e.clientUserA),
			http.StatusNotFound)
		wantStatus(t, e.s.Get(t, path(own.ID), e.clientUserA), http.StatusOK)

		for _, req := range []apptest.Request{
			{Method: http.MethodPost, Path: "/api/v1/equipements/", Body: map[string]any{
				"client_id": e.clientA, "nom": "Mien", "numero_serie": "X"}},
			{Method: http.MethodPatch, Path: path(own.ID), Body: map[string]any{"nom": "Z"}},
			{Method: http.MethodDelete, Path: path(own.ID)},
		} {
			for _, tok := range []string{e.clientUserA, e.technicienToken} {
				req.Token = tok
				wantStatus(t, e.s.Do(t, req), http.StatusForbidden)
			}
		}
	})
}

func TestEquipementListFilters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		for _, eq := range []map[string]any{
			{"client_id": e.clientA, "nom": "Pompe A", "numero_serie": "PA-1",
				"categorie": "pompe", "statut": "en_panne", "criticite": "haute"},
			{"client_id": e.clientA, "nom": "Four", "numero_serie": "FO-1",
				"categorie": "four", "statut": "en_service", "criticite": "basse"},
			{"client_id": e.clientB, "nom": "Pompe B", "numero_serie": "PB-1",
				"categorie": "pompe", "statut": "hors_service"},
			{"client_id": e.clientB, "nom": "Tapis", "numero_serie": "ta_1",
				"statut": "en_maintenance", "criticite": "haute"},
		} {
			e.create(t, eq)
		}
		cases := map[string][]string{
			"?client_id=" + itoa(e.clientA):                   {"Four", "Pompe A"},
			"?statut=en_panne,hors_service":                   {"Pompe A", "Pompe B"},
			"?categorie=pompe&criticite=moyenne":              {"Pompe B"},
			"?criticite=haute,basse&sort=-nom":                {"Tapis", "Pompe A", "Four"},
			"?q=pompe":                                        {"Pompe A", "Pompe B"},
			"?q=TA_":                                          {"Tapis"},
			"?sort=numero_serie&limit=2":                      {"Four", "Pompe A"},
			"?sort=numero_serie&limit=2&offset=2":             {"Pompe B", "Tapis"},
			"?statut=en_service&client_id=" + itoa(e.clientB): nil,
		}
		for query, want := range cases {
			r := e.s.Get(t, "/api/v1/equipements/"+query, e.admin)
			wantStatus(t, r, http.StatusOK)
			var list []equipements.EquipementOut
			r.JSON(t, &list)
			var got []string
			for _, eq := range list {
				got = append(got, eq.Nom)
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s: %q, want %q", query, got, want)
			}
		}
		r := e.s.Get(t, "/api/v1/equipements/?limit=1&offset=1", e.admin)
		if r.Header.Get("X-Total-Count") != "4" ||
			!strings.Contains(r.Header.Get("Link"), `offset=2>; rel="next"`) ||
			!strings.Contains(r.Header.Get("Link"), `offset=0>; rel="prev"`) {
			t.Fatalf("paging headers: %q, %q", r.Header.Get("X-Total-Count"),
				r.Header.Get("Link"))
		}
	})
}

// statusService is the "equipements.service" as the interventions module
// sees it.
type statusService interface {
	Equipement(ctx context.Context, db bun.IDB, id int64, scope int64) (
		clientID int64, criticite string, statut string, err error)
	SetStatut(ctx context.Context, tx bun.IDB, id int64, statut string, motif string,
		interventionID int64, userID int64) error
}

func service(t *testing.T, e env) statusService {
	t.Helper()
	svc, err := module.Service[statusService](e.s.App.Services, equipements.ServiceName)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func TestEquipementsServiceReadsAndMovesStatus(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		e := start(t, target)
		eq := e.create(t, map[string]any{"client_id": e.clientA, "nom": "Presse",
			"numero_serie": "PR-1", "criticite": "basse"})
		svc, ctx, db := service(t, e), context.Background(), e.s.App.DB

		clientID, crit, statut, err := svc.Equipement(ctx, db, eq.ID, e.clientA)
		if err != nil || clientID != e.clientA || crit != "basse" || statut != "en_service" {
			t.Fatalf("Equipement = %d %q %q %v", clientID, crit, statut, err)
		}
		if _, _, _, err := svc.Equipement(ctx, db, eq.ID, e.clientB); !errors.Is(err,
			httpx.ErrNotFound) {
			t.Fatalf("out of scope: %v", err)
		}
		if _, _, _, err := svc.Equipement(ctx, db, eq.ID+50, 0); !errors.Is(err,
			httpx.ErrNotFound) {
			t.Fatalf("missing: %v", err)
		}

		err = db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			if err := svc.SetStatut(ctx, tx, eq.ID, "en_maintenance", "", 5, 0); err != nil {
				return err
			}
			return svc.SetStatut(ctx, tx, eq.ID, "en_maintenance", "", 5, 0) // no-op
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.SetStatut(ctx, db, eq.ID, "casse", "", 0, 0); err == nil {
			t.Fatal("SetStatut accepted an unknown statut")
		}
		r := e.s.Get(t, path(eq.ID), e.admin)
		var got equipements.EquipementOut
		r.JSON(t, &got)
		if got.Statut != equipements.EnMaintenance || got.Version != 2 ||
			r.Header.Get("ETag") != `"2"` {
			t.Fatalf("after SetStatut: %+v", got)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
