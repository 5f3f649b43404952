package interventions_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/erp-interventions/erp/core/db/dbtest"
)

func TestListFilters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		mk := func(equip int64, titre, typ, prio string, urgent bool) intervention {
			b := validCreate(equip)
			b["titre"], b["type_intervention"], b["priorite"], b["urgence"] =
				titre, typ, prio, urgent
			return w.create(t, w.admin, b)
		}
		a := mk(w.equipID, "Fuite hydraulique vanne", "corrective", "urgente", true)
		b := mk(w.equipID, "Graissage roulements", "preventive", "basse", false)
		c := mk(w.otherEquip, "Diagnostic variateur", "diagnostic", "haute", false)
		w.mustAct(t, w.admin, b.ID, "affecter", map[string]any{"technicien_id": w.techID,
			"date_planifiee": "2027-02-01T08:00:00Z"})
		w.mustAct(t, w.admin, c.ID, "annuler", w.bodyFor("annuler"))

		cases := []struct {
			query string
			want  []int64
		}{
			{"", []int64{c.ID, b.ID, a.ID}},
			{"?statut=ouverte", []int64{a.ID}},
			{"?statut=ouverte,affectee", []int64{b.ID, a.ID}},
			{"?statut=ouverte&statut=annulee", []int64{c.ID, a.ID}},
			{"?priorite=urgente,haute", []int64{c.ID, a.ID}},
			{"?type_intervention=preventive", []int64{b.ID}},
			{"?urgence=true", []int64{a.ID}},
			{"?technicien_id=" + itoa(w.techID), []int64{b.ID}},
			{"?client_id=" + itoa(w.otherClient), []int64{c.ID}},
			{"?equipement_id=" + itoa(w.equipID), []int64{b.ID, a.ID}},
			{"?date_creation_min=2000-01-01&date_creation_max=2100-01-01",
				[]int64{c.ID, b.ID, a.ID}},
			{"?date_creation_min=2100-01-01", []int64{}},
			{"?date_planifiee_min=2027-01-01&date_planifiee_max=2027-03-01", []int64{b.ID}},
			{"?q=vanne", []int64{a.ID}},
			{"?q=ROULEMENT", []int64{b.ID}},
			{"?q=joint", []int64{c.ID, b.ID, a.ID}},
			{"?q=zz", []int64{}},
			{"?sort=id", []int64{a.ID, b.ID, c.ID}},
			{"?sort=-priorite", []int64{a.ID, c.ID, b.ID}},
			{"?sort=priorite", []int64{b.ID, c.ID, a.ID}},
		}
		for _, tc := range cases {
			if got := listIDs(t, w, w.admin, tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%s lists %v, want %v", tc.query, got, tc.want)
			}
		}
	})
}

func TestListPagesWithHeaders(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		for range 5 {
			w.create(t, w.admin, validCreate(w.equipID))
		}
		r := w.get(t, w.admin, "/api/v1/interventions/?limit=2&offset=2&sort=id")
		wantStatus(t, r, http.StatusOK)
		link := r.Header.Get("Link")
		if r.Header.Get("X-Total-Count") != "5" || !strings.Contains(link, `rel="next"`) ||
			!strings.Contains(link, `rel="prev"`) || !strings.Contains(link, "sort=id") {
			t.Fatalf("X-Total-Count %q, Link %q", r.Header.Get("X-Total-Count"), link)
		}
		r = w.get(t, w.admin, "/api/v1/interventions?limit=2&offset=4")
		if r.Header.Get("X-Total-Count") != "5" || strings.Contains(r.Header.Get("Link"),
			"next") {
			t.Fatalf("last page: X-Total-Count %q, Link %q", r.Header.Get("X-Total-Count"),
				r.Header.Get("Link"))
		}
		r = w.get(t, w.admin, "/api/v1/interventions/?limit=2&offset=10")
		if r.Header.Get("X-Total-Count") != "5" || strings.TrimSpace(string(r.Body)) != "[]" {
			t.Fatalf("past the end: %q, %s", r.Header.Get("X-Total-Count"), r.Body)
		}
	})
}

func TestListRefusesBadParameters(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.SQLite(t))
	r := w.get(t, w.admin, "/api/v1/interventions/?statut=fermee&urgence=peut-etre"+
		"&technicien_id=x&date_creation_min=hier&sort=titre&limit=0")
	wantStatus(t, r, http.StatusBadRequest)
	for _, name := range []string{"statut", "urgence", "technicien_id",
		"date_creation_min", "sort", "limit"} {
		if !strings.Contains(string(r.Body), `["query","`+name+`"]`) {
			t.Errorf("400 does not name %s: %s", name, r.Body)
		}
	}
}

func TestCommentsAndStats(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		iv := w.create(t, w.client, validCreate(w.equipID))
		for _, u := range []string{"Merci de prévenir l'accueil.", "Badge à retirer."} {
			r := w.s.Do(t, apptestPost(ivPath(iv.ID)+"/commentaires",
				map[string]any{"texte": u}, w.client.Token))
			wantStatus(t, r, http.StatusCreated)
		}
		wantField(t, w.s.Do(t, apptestPost(ivPath(iv.ID)+"/commentaires",
			map[string]any{"texte": " "}, w.client.Token)), "texte")
		r := w.get(t, w.responsable, ivPath(iv.ID)+"/commentaires")
		wantStatus(t, r, http.StatusOK)
		var cs []struct {
			Texte  string `json:"texte"`
			UserID int64  `json:"user_id"`
		}
		r.JSON(t, &cs)
		if len(cs) != 2 || cs[0].Texte != "Merci de prévenir l'accueil." ||
			cs[1].UserID != w.client.ID || r.Header.Get("X-Total-Count") != "2" {
			t.Fatalf("comments %+v", cs)
		}
		wantStatus(t, w.get(t, w.otherTech, ivPath(iv.ID)+"/commentaires"),
			http.StatusNotFound)

		// The clients module asks our stats before deleting a client.
		r = w.s.Do(t, apptestDelete("/api/v1/clients/"+itoa(w.clientID), w.admin.Token))
		wantStatus(t, r, http.StatusConflict)
	})
}
