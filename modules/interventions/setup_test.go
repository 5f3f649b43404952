package interventions_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	_ "github.com/erp-interventions/erp/modules/all"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

// world is a running app with the people and things an intervention
// involves, all created through the other modules' HTTP APIs.
type world struct {
	s           *apptest.Server
	target      dbtest.Target
	admin       userstest.User
	responsable userstest.User
	client      userstest.User // user of clientID
	tech        userstest.User // user of technicienID
	otherTech   userstest.User // user of otherTechnicienID
	clientID    int64
	equipID     int64 // belongs to clientID
	otherClient int64
	otherEquip  int64 // belongs to otherClient
	techID      int64
	otherTechID int64
}

var seq atomic.Int64

func setup(t testing.TB, target dbtest.Target) *world {
	t.Helper()
	w := &world{target: target}
	w.s = apptest.Start(t, apptest.Options{DatabaseURL: target.URL})
	w.admin = userstest.Create(t, w.s, coreauth.RoleAdmin, 0)
	w.responsable = userstest.Create(t, w.s, coreauth.RoleResponsable, 0)
	w.clientID = w.newClient(t)
	w.otherClient = w.newClient(t)
	w.equipID = w.newEquipement(t, w.clientID)
	w.otherEquip = w.newEquipement(t, w.otherClient)
	w.client = userstest.Create(t, w.s, coreauth.RoleClient, w.clientID)
	w.tech, w.techID = w.newTechnicien(t)
	w.otherTech, w.otherTechID = w.newTechnicien(t)
	return w
}

func (w *world) newClient(t testing.TB) int64 {
	t.Helper()
	n := seq.Add(1)
	return w.mustCreate(t, "/api/v1/clients/", map[string]any{
		"nom": fmt.Sprintf("Client %d", n), "code": fmt.Sprintf("CLI-%d", n)})
}

func (w *world) newEquipement(t testing.TB, clientID int64) int64 {
	t.Helper()
	return w.mustCreate(t, "/api/v1/equipements/", map[string]any{
		"client_id": clientID, "nom": "Pompe principale",
		"numero_serie": fmt.Sprintf("SN-%d", seq.Add(1)), "criticite": "haute"})
}

func (w *world) newTechnicien(t testing.TB) (userstest.User, int64) {
	t.Helper()
	u := userstest.Create(t, w.s, coreauth.RoleTechnicien, 0)
	id := w.mustCreate(t, "/api/v1/techniciens/", map[string]any{
		"user_id": u.ID, "nom": "Alaoui", "prenom": "Omar"})
	return u, id
}

// mustCreate POSTs body as the admin and returns the created id.
func (w *world) mustCreate(t testing.TB, path string, body any) int64 {
	t.Helper()
	r := w.s.Do(t, apptest.Request{Method: http.MethodPost, Path: path, Body: body,
		Token: w.admin.Token})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("POST %s = %d: %s", path, r.StatusCode, r.Body)
	}
	var out struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &out)
	return out.ID
}

// intervention is the part of InterventionOut the tests read.
type intervention struct {
	ID                  int64    `json:"id"`
	EquipementID        int64    `json:"equipement_id"`
	ClientID            int64    `json:"client_id"`
	TechnicienID        *int64   `json:"technicien_id"`
	Statut              string   `json:"statut"`
	Priorite            string   `json:"priorite"`
	Urgence             bool     `json:"urgence"`
	Titre               string   `json:"titre"`
	Description         string   `json:"description"`
	TypeIntervention    string   `json:"type_intervention"`
	CompetencesRequises []string `json:"competences_requises"`
	DateAffectation     *string  `json:"date_affectation"`
	DateDebut           *string  `json:"date_debut"`
	DateFin             *string  `json:"date_fin"`
	DatePlanifiee       *string  `json:"date_planifiee"`
	DureeMinutes        *int64   `json:"duree_minutes"`
	Rapport             *string  `json:"rapport"`
	Version             int64    `json:"version"`
}

func validCreate(equipID int64) map[string]any {
	return map[string]any{
		"equipement_id": equipID, "titre": "Réparation pompe principale",
		"description":       "La pompe principale fuit au niveau du joint.",
		"type_intervention": "corrective",
	}
}

// create makes an intervention as u and fails the test unless it answers 201.
func (w *world) create(t testing.TB, u userstest.User, body map[string]any) intervention {
	t.Helper()
	r := w.s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/interventions/",
		Body: body, Token: u.Token})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create intervention = %d: %s", r.StatusCode, r.Body)
	}
	var iv intervention
	r.JSON(t, &iv)
	return iv
}

// act posts a workflow action on intervention id as u.
func (w *world) act(t testing.TB, u userstest.User, id int64, action string,
	body any) *apptest.Response {
	t.Helper()
	return w.s.Do(t, apptest.Request{Method: http.MethodPost,
		Path: "/api/v1/interventions/" + strconv.FormatInt(id, 10) + "/" + action,
		Body: body, Token: u.Token})
}

// mustAct is act that fails the test unless the action answers 200.
func (w *world) mustAct(t testing.TB, u userstest.User, id int64, action string,
	body any) intervention {
	t.Helper()
	r := w.act(t, u, id, action, body)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("%s = %d: %s", action, r.StatusCode, r.Body)
	}
	var iv intervention
	r.JSON(t, &iv)
	return iv
}

func (w *world) get(t testing.TB, u userstest.User, path string) *apptest.Response {
	t.Helper()
	return w.s.Get(t, path, u.Token)
}

func ivPath(id int64) string {
	return "/api/v1/interventions/" + strconv.FormatInt(id, 10)
}

func wantStatus(t testing.TB, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s = %d, want %d: %s", r.Request.Method, r.Request.URL.Path,
			r.StatusCode, status, r.Body)
	}
}

func apptestPost(path string, body any, token string) apptest.Request {
	return apptest.Request{Method: http.MethodPost, Path: path, Body: body, Token: token}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func apptestDelete(path, token string) apptest.Request {
	return apptest.Request{Method: http.MethodDelete, Path: path, Token: token}
}
