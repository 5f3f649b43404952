package interventions_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

func listIDs(t *testing.T, w *world, u userstest.User, query string) []int64 {
	t.Helper()
	r := w.get(t, u, "/api/v1/interventions/"+query)
	wantStatus(t, r, http.StatusOK)
	var rows []intervention
	r.JSON(t, &rows)
	ids := []int64{}
	for _, iv := range rows {
		ids = append(ids, iv.ID)
	}
	return ids
}

func TestClientUsersSeeAndCreateOnlyTheirOwn(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		own := w.create(t, w.client, validCreate(w.equipID))
		other := w.create(t, w.admin, validCreate(w.otherEquip))

		if other.ClientID != w.otherClient {
			t.Fatalf("client_id %d, want the equipment's %d", other.ClientID, w.otherClient)
		}
		wantStatus(t, w.get(t, w.client, ivPath(other.ID)), http.StatusNotFound)
		wantStatus(t, w.get(t, w.client, ivPath(other.ID)+"/historique"), http.StatusNotFound)
		wantStatus(t, w.act(t, w.client, other.ID, "annuler", w.bodyFor("annuler")),
			http.StatusNotFound)
		if ids := listIDs(t, w, w.client, ""); len(ids) != 1 || ids[0] != own.ID {
			t.Fatalf("client lists %v, want only %d", ids, own.ID)
		}
		if ids := listIDs(t, w, w.client, "?client_id="+itoa(w.otherClient)); len(ids) != 0 {
			t.Fatalf("client filtering on another client lists %v", ids)
		}

		r := w.s.Do(t, apptestPost("/api/v1/interventions/", validCreate(w.otherEquip),
			w.client.Token))
		wantField(t, r, "equipement_id")
	})
}

func TestUnknownEquipmentIs400OnThatField(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		r := w.s.Do(t, apptestPost("/api/v1/interventions/", validCreate(999999),
			w.admin.Token))
		wantField(t, r, "equipement_id")
	})
}

func TestClientsCancelTheirOwnOnlyWhileOpen(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		open := w.create(t, w.client, validCreate(w.equipID))
		iv := w.mustAct(t, w.client, open.ID, "annuler", w.bodyFor("annuler"))
		if iv.Statut != "annulee" {
			t.Fatalf("cancelled %+v", iv)
		}

		assigned := w.create(t, w.client, validCreate(w.equipID))
		w.mustAct(t, w.responsable, assigned.ID, "affecter", w.bodyFor("affecter"))
		r := w.act(t, w.client, assigned.ID, "annuler", w.bodyFor("annuler"))
		wantStatus(t, r, http.StatusForbidden)

		for _, a := range []string{"affecter", "archiver"} {
			wantStatus(t, w.act(t, w.client, assigned.ID, a, w.bodyFor(a)),
				http.StatusForbidden)
		}
		w.mustAct(t, w.responsable, assigned.ID, "annuler", w.bodyFor("annuler"))
	})
}

func TestOnlyTheAssignedTechnicianWorks(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		mine := w.create(t, w.admin, validCreate(w.equipID))
		w.mustAct(t, w.responsable, mine.ID, "affecter", w.bodyFor("affecter"))
		unassigned := w.create(t, w.admin, validCreate(w.equipID))

		// Another technician cannot see it at all: 404, as if it did not exist.
		wantStatus(t, w.get(t, w.otherTech, ivPath(mine.ID)), http.StatusNotFound)
		wantStatus(t, w.act(t, w.otherTech, mine.ID, "demarrer", nil), http.StatusNotFound)
		if ids := listIDs(t, w, w.otherTech, ""); len(ids) != 0 {
			t.Fatalf("other technician lists %v", ids)
		}
		if ids := listIDs(t, w, w.tech, ""); len(ids) != 1 || ids[0] != mine.ID {
			t.Fatalf("technician lists %v, want only %d", ids, mine.ID)
		}
		wantStatus(t, w.get(t, w.tech, ivPath(unassigned.ID)), http.StatusNotFound)

		// Responsables assign, cancel and archive; they do not do the work.
		wantStatus(t, w.act(t, w.responsable, mine.ID, "demarrer", nil),
			http.StatusForbidden)
		// Technicians work; they neither assign nor cancel.
		for _, a := range []string{"affecter", "annuler", "archiver"} {
			wantStatus(t, w.act(t, w.tech, mine.ID, a, w.bodyFor(a)), http.StatusForbidden)
		}
		w.mustAct(t, w.tech, mine.ID, "demarrer", nil)
	})
}

func TestReassignmentMovesTheWork(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		iv := w.create(t, w.admin, validCreate(w.equipID))
		w.mustAct(t, w.responsable, iv.ID, "affecter", w.bodyFor("affecter"))
		again := w.mustAct(t, w.responsable, iv.ID, "affecter",
			map[string]any{"technicien_id": w.otherTechID, "motif": "Congés"})
		if again.Statut != "affectee" || *again.TechnicienID != w.otherTechID {
			t.Fatalf("reassigned %+v", again)
		}
		wantStatus(t, w.act(t, w.tech, iv.ID, "demarrer", nil), http.StatusNotFound)
		w.mustAct(t, w.otherTech, iv.ID, "demarrer", nil)
	})
}

func TestAssignmentRespectsCompetences(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		w.mustCreate(t, "/api/v1/techniciens/competences/",
			map[string]any{"code": "soudure", "libelle": "Soudure à l'arc"})
		r := w.s.Do(t, apptest.Request{Method: http.MethodPut,
			Path:  "/api/v1/techniciens/" + itoa(w.otherTechID) + "/competences",
			Token: w.admin.Token, Body: map[string]any{"competences": []any{map[string]any{
				"competence": "soudure", "niveau": 2, "date_expiration": "2020-01-31"}}}})
		wantStatus(t, r, http.StatusOK)

		iv := w.create(t, w.admin, validCreate(w.equipID))
		r = w.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: ivPath(iv.ID),
			Token: w.responsable.Token,
			Body:  map[string]any{"competences_requises": []string{"soudure"}}})
		wantStatus(t, r, http.StatusOK)

		r = w.act(t, w.responsable, iv.ID, "affecter", w.bodyFor("affecter"))
		wantMissing(t, r, "soudure (absente)")
		r = w.act(t, w.responsable, iv.ID, "affecter",
			map[string]any{"technicien_id": w.otherTechID})
		wantMissing(t, r, "soudure (expirée le 2020-01-31)")

		forced := map[string]any{"technicien_id": w.techID, "forcer": true}
		r = w.act(t, w.responsable, iv.ID, "affecter", forced)
		wantStatus(t, r, http.StatusForbidden)
		if !strings.Contains(string(r.Body), coreauth.InterventionsForce) {
			t.Errorf("403 does not name %s: %s", coreauth.InterventionsForce, r.Body)
		}
		w.mustAct(t, w.admin, iv.ID, "affecter", forced)

		h := w.historique(t, iv.ID)
		last := h[len(h)-1]
		if !last.Force || len(last.Manquantes) != 1 || last.Manquantes[0] != "soudure (absente)" {
			t.Fatalf("forced assignment entry = %+v", last)
		}
	})
}

func wantMissing(t *testing.T, r *apptest.Response, phrase string) {
	t.Helper()
	wantStatus(t, r, http.StatusConflict)
	p := r.Problem(t)
	missing, _ := p["competences_manquantes"].([]any)
	if len(missing) != 1 || missing[0] != phrase ||
		!strings.Contains(p["detail"].(string), phrase) {
		t.Fatalf("409 = %v, want it to name %q", p, phrase)
	}
}

// wantField checks a 400 naming the body field.
func wantField(t *testing.T, r *apptest.Response, field string) {
	t.Helper()
	wantStatus(t, r, http.StatusBadRequest)
	p := r.Problem(t)
	errs, _ := p["errors"].([]any)
	for _, e := range errs {
		loc, _ := e.(map[string]any)["loc"].([]any)
		if len(loc) == 2 && loc[0] == "body" && loc[1] == field {
			return
		}
	}
	t.Fatalf("400 does not name body.%s: %s", field, r.Body)
}
