package notifications_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
)

func TestPeriodicChecksReportSuspensionsAndRemindOnce(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target, map[string]any{"notifications.suspension_delay": "1s",
			"notifications.check_interval": "200ms"})
		suspended := w.intervention(t, "Attente de pièces", false)
		w.assign(t, suspended)
		w.act(t, suspended, "demarrer", nil)
		w.act(t, suspended, "suspendre", map[string]any{"motif": "Pièce commandée"})

		planned := w.intervention(t, "Visite planifiée", false)
		at := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
		r := w.s.Do(t, apptest.Request{Method: http.MethodPatch, Token: w.admin.Token,
			Path: "/api/v1/interventions/" + itoa(planned),
			Body: map[string]any{"date_planifiee": at.Format(time.RFC3339)}})
		if r.StatusCode != http.StatusOK {
			t.Fatalf("plan = %d %s", r.StatusCode, r.Body)
		}
		w.assign(t, planned)
		// A date set by the assignment itself is reminded too.
		plannedAtAssignment := w.intervention(t, "Visite fixée à l'affectation", false)
		w.act(t, plannedAtAssignment, "affecter", map[string]any{"technicien_id": w.techID,
			"date_planifiee": at.Format(time.RFC3339)})

		got := w.waitList(t, w.responsable, 1)
		if got[0].TypeEvenement != "intervention.suspension_prolongee" ||
			*got[0].RessourceID != suspended {
			t.Fatalf("responsable got %+v", got)
		}
		reminders := func() []notification {
			var out []notification
			for _, n := range w.list(t, w.tech, "") {
				if n.TypeEvenement == "intervention.rappel_planification" {
					out = append(out, n)
				}
			}
			return out
		}
		deadline := time.Now().Add(10 * time.Second)
		for len(reminders()) < 2 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(600 * time.Millisecond) // three more checks
		rs := reminders()
		got2 := map[int64]int{}
		for _, n := range rs {
			got2[*n.RessourceID]++
		}
		if len(rs) != 2 || got2[planned] != 1 || got2[plannedAtAssignment] != 1 {
			logJobErrors(t, w)
			t.Fatalf("reminders %+v, want one each for interventions %d and %d", rs, planned,
				plannedAtAssignment)
		}
		if n := len(w.list(t, w.responsable, "")); n != 1 {
			t.Fatalf("the suspension was reported %d times", n)
		}
	})
}

// logJobErrors shows why jobs failed, to explain a missing notification.
func logJobErrors(t *testing.T, w *world) {
	jobs, err := w.s.App.Jobs.List(context.Background(), 500)
	if err != nil {
		t.Log(err)
		return
	}
	for _, j := range jobs {
		for _, e := range j.Errors {
			t.Logf("job %d %s (%s): %s", j.ID, j.Kind, j.State, e.Error)
		}
	}
}
