package interventions_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/events"
)

func (w *world) events(t testing.TB) []events.Row {
	t.Helper()
	var rows []events.Row
	if err := w.s.App.DB.NewSelect().Model(&rows).Order("id").
		Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestEachChangeRecordsItsEvent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		iv := w.create(t, w.client, validCreate(w.equipID))
		w.patch(t, iv.ID, "", map[string]any{"urgence": true})
		w.mustAct(t, w.responsable, iv.ID, "affecter", w.bodyFor("affecter"))
		r := w.s.Do(t, apptestPost(ivPath(iv.ID)+"/commentaires",
			map[string]any{"texte": "Accès par le quai 3."}, w.tech.Token))
		wantStatus(t, r, http.StatusCreated)
		w.mustAct(t, w.tech, iv.ID, "demarrer", nil)
		w.mustAct(t, w.tech, iv.ID, "suspendre", w.bodyFor("suspendre"))
		w.mustAct(t, w.tech, iv.ID, "reprendre", nil)
		w.mustAct(t, w.tech, iv.ID, "cloturer", w.bodyFor("cloturer"))
		w.mustAct(t, w.responsable, iv.ID, "archiver", nil)
		other := w.create(t, w.admin, validCreate(w.equipID))
		w.mustAct(t, w.admin, other.ID, "annuler", w.bodyFor("annuler"))

		var types []string
		for _, e := range w.events(t) {
			if e.Resource == "intervention" {
				types = append(types, e.Type)
			}
		}
		want := []string{"intervention.created", "intervention.updated",
			"intervention.assigned", "intervention.commented", "intervention.started",
			"intervention.suspended", "intervention.resumed", "intervention.closed",
			"intervention.archived", "intervention.created", "intervention.cancelled"}
		if !slices.Equal(types, want) {
			t.Fatalf("events %v\nwant   %v", types, want)
		}
		first := w.events(t)[0]
		if first.ResourceID != itoa(iv.ID) || first.ClientID == nil ||
			*first.ClientID != w.clientID || first.ActorID == nil ||
			*first.ActorID != w.client.ID {
			t.Fatalf("created event = %+v", first)
		}
	})
}

// TestAFailingTransitionLeavesNothing breaks the last write of a transition
// (storing its idempotent answer, after the event is recorded) and checks
// that the whole transition is gone: status, history, equipment, event.
func TestAFailingTransitionLeavesNothing(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		iv := w.create(t, w.admin, validCreate(w.equipID))
		w.mustAct(t, w.responsable, iv.ID, "affecter", w.bodyFor("affecter"))
		breakIdempotencyKeys(t, w, target)
		before := len(w.events(t))

		r := w.s.Do(t, apptest.Request{Method: http.MethodPost, Path: ivPath(iv.ID) +
			"/demarrer", Token: w.tech.Token, Header: map[string]string{
			"Idempotency-Key": "demarrage-1"}})
		wantStatus(t, r, http.StatusInternalServerError)

		var now intervention
		w.get(t, w.admin, ivPath(iv.ID)).JSON(t, &now)
		if now.Statut != "affectee" || now.Version != 2 || now.DateDebut != nil {
			t.Fatalf("intervention changed: %+v", now)
		}
		if n := len(w.events(t)); n != before {
			t.Fatalf("%d events recorded by a rolled-back transition", n-before)
		}
		if h := w.historique(t, iv.ID); len(h) != 2 {
			t.Fatalf("history has %d entries, want 2", len(h))
		}
		if s := w.equipementStatut(t, w.equipID); s != "en_service" {
			t.Fatalf("equipment %s after a rolled-back start", s)
		}
	})
}

// breakIdempotencyKeys makes every insert into idempotency_keys fail.
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

func TestCreateIsIdempotent(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target)
		send := func(token string, body map[string]any) *apptest.Response {
			return w.s.Do(t, apptest.Request{Method: http.MethodPost,
				Path: "/api/v1/interventions/", Token: token, Body: body,
				Header: map[string]string{"Idempotency-Key": "creation-42"}})
		}
		first := send(w.client.Token, validCreate(w.equipID))
		again := send(w.client.Token, validCreate(w.equipID))
		wantStatus(t, first, http.StatusCreated)
		wantStatus(t, again, http.StatusCreated)
		if string(first.Body) != string(again.Body) ||
			again.Header.Get("Location") != first.Header.Get("Location") ||
			again.Header.Get("ETag") != first.Header.Get("ETag") ||
			again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s %v\n%s %v", first.Body, first.Header, again.Body,
				again.Header)
		}
		if ids := listIDs(t, w, w.admin, ""); len(ids) != 1 {
			t.Fatalf("%d interventions, want 1", len(ids))
		}

		other := validCreate(w.equipID)
		other["titre"] = "Un autre titre"
		wantStatus(t, send(w.client.Token, other), http.StatusUnprocessableEntity)
		// The key belongs to its user: another user's same key is new.
		wantStatus(t, send(w.admin.Token, other), http.StatusCreated)
		if ids := listIDs(t, w, w.admin, ""); len(ids) != 2 {
			t.Fatalf("%d interventions, want 2", len(ids))
		}
	})
}
