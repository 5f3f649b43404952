package notifications_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
)

func TestAnAssignmentReachesTheTechniciansStream(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target, nil)
		st, _ := openStream(t, w.s.URL, "", bearer(w.tech))

		var latencies []time.Duration
		for i := range 5 {
			id := w.intervention(t, fmt.Sprintf("Réparation pompe %d", i), false)
			start := time.Now()
			w.assign(t, id)
			e := st.next(t, 10*time.Second)
			latencies = append(latencies, time.Since(start))

			var n notification
			if err := json.Unmarshal([]byte(e.Data), &n); err != nil {
				t.Fatal(err)
			}
			if e.ID != strconv.FormatInt(n.ID, 10) || n.TypeEvenement != "intervention.assigned" ||
				n.RessourceID == nil || *n.RessourceID != id || n.Lue ||
				n.Titre != "Nouvelle intervention affectée" {
				t.Fatalf("event %+v, notification %+v", e, n)
			}
		}
		slices.Sort(latencies)
		t.Logf("%s: assignment → SSE event: min %s, median %s, max %s", target.Name,
			latencies[0], latencies[2], latencies[4])
	})
}

func TestLastEventIDResendsWhatWasMissed(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target, nil)
		for i := range 3 {
			w.assign(t, w.intervention(t, fmt.Sprintf("Contrôle vanne %d", i), false))
		}
		got := w.waitList(t, w.tech, 3) // newest first
		first := got[2].ID

		st, _ := openStream(t, w.s.URL, "", map[string]string{
			"Authorization": "Bearer " + w.tech.Token,
			"Last-Event-ID": strconv.FormatInt(first, 10)})
		for _, want := range []int64{got[1].ID, got[0].ID} {
			if e := st.next(t, 5*time.Second); e.ID != strconv.FormatInt(want, 10) {
				t.Fatalf("resumed with id %s, want %d", e.ID, want)
			}
		}
	})
}

func TestTheStreamAcceptsASingleUseTicket(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := setup(t, target, nil)
		r := w.s.Do(t, apptest.Request{Method: http.MethodPost,
			Path: "/api/v1/notifications/ticket", Token: w.tech.Token})
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("ticket = %d %s", r.StatusCode, r.Body)
		}
		var tk struct {
			Ticket string `json:"ticket"`
		}
		r.JSON(t, &tk)

		st, _ := openStream(t, w.s.URL, "?ticket="+tk.Ticket, nil)
		id := w.intervention(t, "Remplacement du joint", false)
		w.assign(t, id)
		st.next(t, 10*time.Second)

		cases := map[string]string{"the same ticket again": "?ticket=" + tk.Ticket,
			"an unknown ticket": "?ticket=inconnu", "no credentials": ""}
		for name, query := range cases {
			if _, status := openStream(t, w.s.URL, query, nil); status != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401", name, status)
			}
		}
	})
}

func TestTheStreamOutlivesTheWriteTimeoutAndEndsAtShutdown(t *testing.T) {
	t.Parallel()
	w := setup(t, dbtest.SQLite(t), nil)
	h, err := w.s.App.Handler()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, WriteTimeout: 300 * time.Millisecond,
		ReadTimeout: 300 * time.Millisecond}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })

	st, _ := openStream(t, "http://"+ln.Addr().String(), "", bearer(w.tech))
	st.expectComment(t, "ping")
	time.Sleep(time.Second) // over three write timeouts
	w.assign(t, w.intervention(t, "Vérification tardive", false))
	st.next(t, 10*time.Second)

	if err := w.s.App.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-drain(st):
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the server's stop")
	}
}

// drain returns a channel closed when the stream ends.
func drain(st *stream) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		for range st.events {
		}
		close(done)
	}()
	return done
}

func TestAStreamHearsOfANotificationMadeByAnotherProcess(t *testing.T) {
	t.Parallel()
	target := dbtest.Postgres(t)
	// The stream's process works no job: the notification is made by the
	// other one, and only PostgreSQL's NOTIFY can bring it here.
	listener := apptest.Start(t, apptest.Options{DatabaseURL: target.URL, Enabled: enabled,
		Overrides: map[string]any{"jobs.serve_workers": false}})
	worker := setup(t, target, nil)

	st, _ := openStream(t, listener.URL, "", bearer(worker.tech))
	worker.assign(t, worker.intervention(t, "Intervention partagée", false))
	e := st.next(t, 10*time.Second)
	if e.Event != "notification" || e.ID == "" {
		t.Fatalf("event %+v", e)
	}
}
