package interventions_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
)

func TestCreateNamesEachBadField(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		with := func(k string, v any) map[string]any {
			b := validCreate(w.equipID)
			if v == nil {
				delete(b, k)
			} else {
				b[k] = v
			}
			return b
		}
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"TitreTooShort", with("titre", "abcd"), "titre"},
			{"TitreTooLong", with("titre", strings.Repeat("é", 256)), "titre"},
			{"TitreMissing", with("titre", nil), "titre"},
			{"DescriptionTooShort", with("description", "123456789"), "description"},
			{"DescriptionTooLong", with("description", strings.Repeat("x", 2001)),
				"description"},
			{"DescriptionMissing", with("description", nil), "description"},
			{"TypeUnknown", with("type_intervention", "curative"), "type_intervention"},
			{"TypeMissing", with("type_intervention", nil), "type_intervention"},
			{"PrioriteUnknown", with("priorite", "critique"), "priorite"},
			{"UrgenceNotABoolean", with("urgence", "oui"), "urgence"},
			{"EquipementMissing", with("equipement_id", nil), "equipement_id"},
			{"EquipementNotANumber", with("equipement_id", "12"), "equipement_id"},
			{"StatutIsNotAnInput", with("statut", "cloturee"), "statut"},
			{"ClientIsNotAnInput", with("client_id", w.otherClient), "client_id"},
		}
		for _, tc := range cases {
			r := w.s.Do(t, apptestPost("/api/v1/interventions/", tc.body, w.client.Token))
			t.Run(tc.name, func(t *testing.T) { wantField(t, r, tc.field) })
		}
	})
}

func TestCreateNamesEveryBadFieldAtOnce(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.SQLite(t))
	r := w.s.Do(t, apptestPost("/api/v1/interventions/", map[string]any{
		"titre": "x", "description": "court", "type_intervention": "autre"}, w.admin.Token))
	for _, f := range []string{"equipement_id", "titre", "description", "type_intervention"} {
		wantField(t, r, f)
	}
}

func TestCreateKeepsTheBoundsInclusive(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.SQLite(t))
	b := validCreate(w.equipID)
	b["titre"], b["description"] = "Pompe", strings.Repeat("é", 2000)
	b["priorite"], b["urgence"] = "urgente", true
	iv := w.create(t, w.admin, b)
	if iv.Titre != "Pompe" || iv.Priorite != "urgente" || !iv.Urgence {
		t.Fatalf("created %+v", iv)
	}
	b["titre"] = strings.Repeat("t", 255)
	w.create(t, w.admin, b)
}

func TestStepBodiesAreChecked(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.SQLite(t))
	iv := w.create(t, w.admin, validCreate(w.equipID))
	wantField(t, w.act(t, w.admin, iv.ID, "affecter", map[string]any{}), "technicien_id")
	wantField(t, w.act(t, w.admin, iv.ID, "affecter", map[string]any{"technicien_id": 99999}),
		"technicien_id")
	wantField(t, w.act(t, w.admin, iv.ID, "annuler", nil), "motif")
	w.mustAct(t, w.admin, iv.ID, "affecter", w.bodyFor("affecter"))
	w.mustAct(t, w.admin, iv.ID, "demarrer", nil)
	wantField(t, w.act(t, w.admin, iv.ID, "suspendre", map[string]any{"motif": ""}), "motif")
	wantField(t, w.act(t, w.admin, iv.ID, "cloturer", map[string]any{"rapport": "ok"}),
		"rapport")
}

func TestPatchHonoursIfMatch(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		iv := w.create(t, w.admin, validCreate(w.equipID))
		r := w.get(t, w.responsable, ivPath(iv.ID))
		tag := r.Header.Get("ETag")
		if tag != `"1"` {
			t.Fatalf("ETag %q", tag)
		}
		r = w.patch(t, iv.ID, tag, map[string]any{"titre": "Remplacement du joint",
			"priorite": "haute", "urgence": true, "date_planifiee": "2027-01-05T07:30:00Z"})
		wantStatus(t, r, http.StatusOK)
		var got intervention
		r.JSON(t, &got)
		if got.Titre != "Remplacement du joint" || got.Priorite != "haute" || !got.Urgence ||
			*got.DatePlanifiee != "2027-01-05T07:30:00Z" || got.Version != 2 ||
			got.Description != iv.Description || r.Header.Get("ETag") != `"2"` {
			t.Fatalf("patched %+v, ETag %s", got, r.Header.Get("ETag"))
		}

		r = w.patch(t, iv.ID, tag, map[string]any{"titre": "Une autre modification"})
		wantStatus(t, r, http.StatusPreconditionFailed)
		r = w.patch(t, iv.ID, "", map[string]any{"date_planifiee": nil})
		wantStatus(t, r, http.StatusOK)
		r.JSON(t, &got)
		if got.DatePlanifiee != nil || got.Version != 3 {
			t.Fatalf("date_planifiee not cleared: %+v", got)
		}
		wantField(t, w.patch(t, iv.ID, "", map[string]any{"statut": "cloturee"}), "statut")
		wantField(t, w.patch(t, iv.ID, "", map[string]any{"titre": "abc"}), "titre")
		wantStatus(t, w.get(t, w.responsable, ivPath(iv.ID)), http.StatusOK)
	})
}

func TestAFinalInterventionIsNotPatched(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.SQLite(t))
	iv := w.create(t, w.admin, validCreate(w.equipID))
	w.mustAct(t, w.admin, iv.ID, "annuler", w.bodyFor("annuler"))
	r := w.patch(t, iv.ID, "", map[string]any{"titre": "Trop tard pour changer"})
	wantStatus(t, r, http.StatusConflict)
	if p := r.Problem(t); p["statut"] != "annulee" {
		t.Fatalf("409 = %v", p)
	}
	wantStatus(t, w.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: ivPath(iv.ID),
		Token: w.tech.Token, Body: map[string]any{"urgence": true}}), http.StatusForbidden)
}

func (w *world) patch(t testing.TB, id int64, ifMatch string, body any) *apptest.Response {
	t.Helper()
	h := map[string]string{}
	if ifMatch != "" {
		h["If-Match"] = ifMatch
	}
	return w.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: ivPath(id),
		Token: w.responsable.Token, Body: body, Header: h})
}
