package interventions_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/erp-interventions/erp/core/db/dbtest"
)

// equipementStatut reads the equipment's status through its own API.
func (w *world) equipementStatut(t testing.TB, id int64) string {
	t.Helper()
	r := w.get(t, w.admin, "/api/v1/equipements/"+strconv.FormatInt(id, 10))
	wantStatus(t, r, http.StatusOK)
	var e struct {
		Statut string `json:"statut"`
	}
	r.JSON(t, &e)
	return e.Statut
}

type historyEntry struct {
	Action        string   `json:"action"`
	AncienStatut  *string  `json:"ancien_statut"`
	NouveauStatut string   `json:"nouveau_statut"`
	Motif         *string  `json:"motif"`
	TechnicienID  *int64   `json:"technicien_id"`
	Force         bool     `json:"force"`
	Manquantes    []string `json:"competences_manquantes"`
	UserID        *int64   `json:"user_id"`
	Date          string   `json:"date"`
}

func (w *world) historique(t testing.TB, id int64) []historyEntry {
	t.Helper()
	r := w.get(t, w.responsable, ivPath(id)+"/historique")
	wantStatus(t, r, http.StatusOK)
	var h []historyEntry
	r.JSON(t, &h)
	return h
}

func TestAnInterventionLivesItsWholeLife(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)

		r := w.s.Do(t, apptestPost("/api/v1/interventions/", validCreate(w.equipID),
			w.client.Token))
		wantStatus(t, r, http.StatusCreated)
		var iv intervention
		r.JSON(t, &iv)
		if r.Header.Get("Location") != ivPath(iv.ID) || r.Header.Get("ETag") != `"1"` {
			t.Fatalf("Location %q, ETag %q", r.Header.Get("Location"), r.Header.Get("ETag"))
		}
		if iv.Statut != "ouverte" || iv.ClientID != w.clientID || iv.Priorite != "normale" ||
			iv.Urgence || iv.TechnicienID != nil {
			t.Fatalf("created %+v", iv)
		}

		iv = w.mustAct(t, w.responsable, iv.ID, "affecter", map[string]any{
			"technicien_id": w.techID, "date_planifiee": "2026-12-24T08:00:00Z"})
		if iv.Statut != "affectee" || *iv.TechnicienID != w.techID ||
			iv.DateAffectation == nil || *iv.DatePlanifiee != "2026-12-24T08:00:00Z" {
			t.Fatalf("assigned %+v", iv)
		}

		iv = w.mustAct(t, w.tech, iv.ID, "demarrer", nil)
		if iv.Statut != "en_cours" || iv.DateDebut == nil {
			t.Fatalf("started %+v", iv)
		}
		if s := w.equipementStatut(t, w.equipID); s != "en_maintenance" {
			t.Fatalf("equipment %s after demarrer, want en_maintenance", s)
		}

		iv = w.mustAct(t, w.tech, iv.ID, "suspendre", map[string]any{"motif": "Pièce commandée"})
		if iv.Statut != "en_attente" {
			t.Fatalf("suspended %+v", iv)
		}
		iv = w.mustAct(t, w.tech, iv.ID, "reprendre", map[string]any{})
		if iv.Statut != "en_cours" {
			t.Fatalf("resumed %+v", iv)
		}
		iv = w.mustAct(t, w.tech, iv.ID, "cloturer", map[string]any{
			"rapport": "Joint remplacé, essais concluants."})
		if iv.Statut != "cloturee" || iv.DateFin == nil || iv.DureeMinutes == nil ||
			iv.Rapport == nil {
			t.Fatalf("closed %+v", iv)
		}
		if s := w.equipementStatut(t, w.equipID); s != "en_service" {
			t.Fatalf("equipment %s after cloturer, want en_service", s)
		}
		iv = w.mustAct(t, w.responsable, iv.ID, "archiver", nil)
		if iv.Statut != "archivee" || iv.Version != 7 {
			t.Fatalf("archived %+v", iv)
		}

		checkTimeline(t, w, iv.ID)
		checkEquipmentHistory(t, w)
	})
}

func checkTimeline(t *testing.T, w *world, id int64) {
	t.Helper()
	h := w.historique(t, id)
	want := []struct{ action, from, to string }{
		{"creation", "", "ouverte"}, {"affecter", "ouverte", "affectee"},
		{"demarrer", "affectee", "en_cours"}, {"suspendre", "en_cours", "en_attente"},
		{"reprendre", "en_attente", "en_cours"}, {"cloturer", "en_cours", "cloturee"},
		{"archiver", "cloturee", "archivee"},
	}
	if len(h) != len(want) {
		t.Fatalf("timeline has %d entries, want %d: %+v", len(h), len(want), h)
	}
	who := []int64{w.client.ID, w.responsable.ID, w.tech.ID, w.tech.ID, w.tech.ID,
		w.tech.ID, w.responsable.ID}
	for i, e := range h {
		from := ""
		if e.AncienStatut != nil {
			from = *e.AncienStatut
		}
		if e.Action != want[i].action || from != want[i].from ||
			e.NouveauStatut != want[i].to || e.UserID == nil || *e.UserID != who[i] ||
			e.Date == "" {
			t.Errorf("entry %d = %+v, want %+v by user %d", i, e, want[i], who[i])
		}
	}
	if h[3].Motif == nil || *h[3].Motif != "Pièce commandée" {
		t.Errorf("suspension motif = %v", h[3].Motif)
	}
	if h[1].TechnicienID == nil || *h[1].TechnicienID != w.techID {
		t.Errorf("assignment entry names technician %v", h[1].TechnicienID)
	}
}

// checkEquipmentHistory checks that the equipment's own history shows the
// moves the workflow made.
func checkEquipmentHistory(t *testing.T, w *world) {
	t.Helper()
	r := w.get(t, w.admin, "/api/v1/equipements/"+strconv.FormatInt(w.equipID, 10)+
		"/historique")
	wantStatus(t, r, http.StatusOK)
	var h []struct {
		NouveauStatut  string `json:"nouveau_statut"`
		InterventionID *int64 `json:"intervention_id"`
	}
	r.JSON(t, &h)
	var moves []string
	for _, e := range h {
		if e.InterventionID != nil {
			moves = append(moves, e.NouveauStatut)
		}
	}
	// reprendre finds the equipment already en_maintenance: no new entry.
	if !slices.Equal(moves, []string{"en_maintenance", "en_service"}) {
		t.Fatalf("equipment moves by the intervention = %v", moves)
	}
}

// pathTo lists the actions an admin takes to bring a new intervention to
// each status.
var pathTo = map[string][]string{
	"ouverte":    {},
	"affectee":   {"affecter"},
	"en_cours":   {"affecter", "demarrer"},
	"en_attente": {"affecter", "demarrer", "suspendre"},
	"cloturee":   {"affecter", "demarrer", "cloturer"},
	"annulee":    {"annuler"},
	"archivee":   {"annuler", "archiver"},
}

var allowed = map[string][]string{
	"ouverte":    {"affecter", "annuler"},
	"affectee":   {"affecter", "demarrer", "annuler"},
	"en_cours":   {"suspendre", "cloturer"},
	"en_attente": {"reprendre", "annuler"},
	"cloturee":   {"archiver"},
	"annulee":    {"archiver"},
	"archivee":   {},
}

var actions = []string{"affecter", "demarrer", "suspendre", "reprendre", "cloturer",
	"annuler", "archiver"}

// bodyFor is a valid body for each action, so that only the status decides.
func (w *world) bodyFor(action string) map[string]any {
	switch action {
	case "affecter":
		return map[string]any{"technicien_id": w.techID}
	case "suspendre", "annuler":
		return map[string]any{"motif": "Motif de test"}
	case "cloturer":
		return map[string]any{"rapport": "Rapport de test complet."}
	}
	return nil
}

func TestEveryIllegalTransitionIs409(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		for statut, path := range pathTo {
			iv := w.create(t, w.admin, validCreate(w.equipID))
			for _, a := range path {
				iv = w.mustAct(t, w.admin, iv.ID, a, w.bodyFor(a))
			}
			if iv.Statut != statut {
				t.Fatalf("reached %s, want %s", iv.Statut, statut)
			}
			before := w.eventCount(t)
			for _, a := range actions {
				if slices.Contains(allowed[statut], a) {
					continue
				}
				checkIllegal(t, w, iv, a, statut)
			}
			if after := w.eventCount(t); after != before {
				t.Errorf("refused transitions from %s recorded %d events", statut,
					after-before)
			}
		}
	})
}

func checkIllegal(t *testing.T, w *world, iv intervention, action, statut string) {
	t.Helper()
	r := w.act(t, w.admin, iv.ID, action, w.bodyFor(action))
	if r.StatusCode != http.StatusConflict {
		t.Errorf("%s from %s = %d, want 409: %s", action, statut, r.StatusCode, r.Body)
		return
	}
	p := r.Problem(t)
	got := []string{}
	for _, a := range p["actions_autorisees"].([]any) {
		got = append(got, a.(string))
	}
	if p["statut"] != statut || !slices.Equal(got, allowed[statut]) {
		t.Errorf("%s from %s: statut %v, actions %v", action, statut, p["statut"], got)
	}
	var now intervention
	w.get(t, w.admin, ivPath(iv.ID)).JSON(t, &now)
	if now.Statut != statut || now.Version != iv.Version {
		t.Errorf("refused %s changed the intervention: %+v", action, now)
	}
}

func (w *world) eventCount(t testing.TB) int {
	t.Helper()
	n, err := w.s.App.DB.NewSelect().Table("event_outbox").Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return int(n)
}
