package notifications_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

func TestRulesRouteEachEventToItsAudience(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target, nil)
		second := userstest.Create(t, w.s, coreauth.RoleResponsable, 0)

		urgent := w.intervention(t, "Fuite majeure sur la pompe", true)
		w.intervention(t, "Graissage de routine", false) // not urgent: nobody hears
		w.assign(t, urgent)
		w.act(t, urgent, "demarrer", nil)
		w.act(t, urgent, "cloturer", map[string]any{"rapport": "Joint remplacé, essai ok."})
		w.waitList(t, w.client, 1)

		for _, r := range []userstest.User{w.responsable, second} {
			got := w.waitList(t, r, 1)
			if len(got) != 1 || got[0].TypeEvenement != "intervention.created" ||
				*got[0].RessourceID != urgent || got[0].Titre != "Intervention urgente" {
				t.Fatalf("responsable %d got %+v", r.ID, got)
			}
		}
		if got := w.waitList(t, w.tech, 1); len(got) != 1 || *got[0].RessourceID != urgent {
			t.Fatalf("technician got %+v", got)
		}
		if got := w.list(t, w.client, ""); len(got) != 1 ||
			got[0].TypeEvenement != "intervention.closed" {
			t.Fatalf("client got %+v", got)
		}
		for name, u := range map[string]userstest.User{"other client": w.otherClient,
			"admin": w.admin} {
			if got := w.list(t, u, ""); len(got) != 0 {
				t.Errorf("%s got %+v", name, got)
			}
		}
	})
}

func TestARolledBackAssignmentNotifiesNobody(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target, nil)
		lost := w.intervention(t, "Affectation annulée", false)
		kept := w.intervention(t, "Affectation conservée", false)
		breakIdempotencyKeys(t, w, target)

		r := w.s.Do(t, apptest.Request{Method: http.MethodPost, Token: w.admin.Token,
			Path:   "/api/v1/interventions/" + itoa(lost) + "/affecter",
			Body:   map[string]any{"technicien_id": w.techID},
			Header: map[string]string{"Idempotency-Key": "affectation-1"}})
		if r.StatusCode != http.StatusInternalServerError {
			t.Fatalf("broken assignment = %d %s", r.StatusCode, r.Body)
		}
		w.assign(t, kept)

		got := w.waitList(t, w.tech, 1)
		time.Sleep(300 * time.Millisecond) // a wrong, later notification would show now
		got = w.list(t, w.tech, "")
		if len(got) != 1 || *got[0].RessourceID != kept {
			t.Fatalf("technician got %+v, want only intervention %d", got, kept)
		}
	})
}

// breakIdempotencyKeys makes every insert into idempotency_keys fail, so
// that a write with an Idempotency-Key rolls back at its last step.
func breakIdempotencyKeys(t *testing.T, w *world, target dbtest.Target) {
	t.Helper()
	ddl := []string{"CREATE TRIGGER boom BEFORE INSERT ON idempotency_keys " +
		"BEGIN SELECT RAISE(ABORT, 'boom'); END"}
	if target.Name == "PostgreSQL" {
		ddl = []string{
			"CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS " +
				"$$ BEGIN RAISE EXCEPTION 'boom'; END $$",
			"CREATE TRIGGER boom BEFORE INSERT ON idempotency_keys " +
				"FOR EACH ROW EXECUTE FUNCTION boom()",
		}
	}
	for _, q := range ddl {
		if _, err := w.s.App.DB.ExecContext(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadingNotifications(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target, nil)
		for _, titre := range []string{"Première intervention", "Deuxième intervention",
			"Troisième intervention"} {
			w.assign(t, w.intervention(t, titre, false))
		}
		got := w.waitList(t, w.tech, 3)
		w.wantCount(t, w.tech, 3)

		r := w.s.Do(t, apptest.Request{Method: http.MethodPost, Token: w.tech.Token,
			Path: "/api/v1/notifications/" + itoa(got[0].ID) + "/lue"})
		var read notification
		r.JSON(t, &read)
		if r.StatusCode != http.StatusOK || !read.Lue {
			t.Fatalf("mark read = %d %s", r.StatusCode, r.Body)
		}
		w.wantCount(t, w.tech, 2)
		if unread := w.list(t, w.tech, "?non_lues=true"); len(unread) != 2 {
			t.Fatalf("%d unread listed, want 2", len(unread))
		}
		page := w.s.Get(t, "/api/v1/notifications/?limit=1&offset=1", w.tech.Token)
		if page.Header.Get("X-Total-Count") != "3" || page.Header.Get("Link") == "" {
			t.Fatalf("paging headers %v", page.Header)
		}

		other := w.s.Do(t, apptest.Request{Method: http.MethodPost, Token: w.client.Token,
			Path: "/api/v1/notifications/" + itoa(got[1].ID) + "/lue"})
		if other.StatusCode != http.StatusNotFound {
			t.Fatalf("another user's notification = %d", other.StatusCode)
		}
		all := w.s.Do(t, apptest.Request{Method: http.MethodPost, Token: w.tech.Token,
			Path: "/api/v1/notifications/lues"})
		if all.StatusCode != http.StatusOK || string(all.Body) != `{"marquees":2}`+"\n" &&
			string(all.Body) != `{"marquees":2}` {
			t.Fatalf("mark all = %d %s", all.StatusCode, all.Body)
		}
		w.wantCount(t, w.tech, 0)
	})
}

func (w *world) wantCount(t *testing.T, u userstest.User, want int) {
	t.Helper()
	var c struct {
		NonLues int `json:"non_lues"`
	}
	w.s.Get(t, "/api/v1/notifications/compteur", u.Token).JSON(t, &c)
	if c.NonLues != want {
		t.Fatalf("unread count %d, want %d", c.NonLues, want)
	}
}

func TestPreferencesChooseChannelsAndLanguage(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target, nil)
		put := func(body any) *apptest.Response {
			return w.s.Do(t, apptest.Request{Method: http.MethodPut, Token: w.tech.Token,
				Path: "/api/v1/notifications/preferences", Body: body})
		}
		bad := put(map[string]any{"langue": "de", "canaux": []map[string]any{
			{"type_evenement": "inconnu", "in_app": true, "email": false}}})
		if bad.StatusCode != http.StatusBadRequest || len(bad.Problem(t)["errors"].([]any)) != 2 {
			t.Fatalf("bad preferences = %d %s", bad.StatusCode, bad.Body)
		}
		ok := put(map[string]any{"langue": "en", "canaux": []map[string]any{
			{"type_evenement": "intervention.assigned", "in_app": false, "email": false}}})
		if ok.StatusCode != http.StatusOK {
			t.Fatalf("preferences = %d %s", ok.StatusCode, ok.Body)
		}
		var prefs struct {
			Langue string `json:"langue"`
			Canaux []struct {
				Type  string `json:"type_evenement"`
				InApp bool   `json:"in_app"`
			} `json:"canaux"`
		}
		w.s.Get(t, "/api/v1/notifications/preferences", w.tech.Token).JSON(t, &prefs)
		if prefs.Langue != "en" || len(prefs.Canaux) != 5 || prefs.Canaux[0].InApp ||
			!prefs.Canaux[1].InApp {
			t.Fatalf("preferences %+v", prefs)
		}

		w.assign(t, w.intervention(t, "Sans notification", false))
		w.act(t, w.intervention(t, "Fuite urgente", true), "annuler",
			map[string]any{"motif": "Doublon"})
		w.waitList(t, w.responsable, 1)
		time.Sleep(300 * time.Millisecond)
		if got := w.list(t, w.tech, ""); len(got) != 0 {
			t.Fatalf("in-app is off, yet the technician got %+v", got)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
