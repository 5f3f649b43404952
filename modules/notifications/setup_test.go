package notifications_test

import (
	"bufio"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	_ "github.com/erp-interventions/erp/modules/auth"
	_ "github.com/erp-interventions/erp/modules/clients"
	_ "github.com/erp-interventions/erp/modules/equipements"
	_ "github.com/erp-interventions/erp/modules/interventions"
	_ "github.com/erp-interventions/erp/modules/notifications"
	_ "github.com/erp-interventions/erp/modules/techniciens"
	_ "github.com/erp-interventions/erp/modules/users"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

// enabled are the modules the tests run: notifications and what makes
// intervention events.
var enabled = []string{"auth", "users", "clients", "equipements", "techniciens",
	"interventions", "notifications"}

// world is a running app with a client, its equipment, a technician, a
// responsable and users of two clients.
type world struct {
	s           *apptest.Server
	admin       userstest.User
	responsable userstest.User
	client      userstest.User // user of clientID
	otherClient userstest.User // user of another client
	tech        userstest.User // user of techID
	clientID    int64
	equipID     int64
	techID      int64
}

var seq atomic.Int64

// fast are the settings that make the tests quick.
var fast = map[string]any{"jobs.poll_interval": "50ms",
	"notifications.heartbeat_interval": "200ms"}

func setup(t testing.TB, target dbtest.Target, overrides map[string]any) *world {
	t.Helper()
	all := map[string]any{}
	for k, v := range fast {
		all[k] = v
	}
	for k, v := range overrides {
		all[k] = v
	}
	s := apptest.Start(t, apptest.Options{DatabaseURL: target.URL, Enabled: enabled,
		Overrides: all})
	return populate(t, s)
}

func populate(t testing.TB, s *apptest.Server) *world {
	t.Helper()
	w := &world{s: s}
	w.admin = userstest.Create(t, s, coreauth.RoleAdmin, 0)
	w.responsable = userstest.Create(t, s, coreauth.RoleResponsable, 0)
	w.clientID = w.mustCreate(t, "/api/v1/clients/", map[string]any{
		"nom": fmt.Sprintf("Client %d", seq.Add(1)), "code": fmt.Sprintf("CLI-%d", seq.Add(1))})
	other := w.mustCreate(t, "/api/v1/clients/", map[string]any{
		"nom": fmt.Sprintf("Client %d", seq.Add(1)), "code": fmt.Sprintf("CLI-%d", seq.Add(1))})
	w.equipID = w.mustCreate(t, "/api/v1/equipements/", map[string]any{
		"client_id": w.clientID, "nom": "Pompe principale",
		"numero_serie": fmt.Sprintf("SN-%d", seq.Add(1)), "criticite": "haute"})
	w.client = userstest.Create(t, s, coreauth.RoleClient, w.clientID)
	w.otherClient = userstest.Create(t, s, coreauth.RoleClient, other)
	w.tech = userstest.Create(t, s, coreauth.RoleTechnicien, 0)
	w.techID = w.mustCreate(t, "/api/v1/techniciens/", map[string]any{
		"user_id": w.tech.ID, "nom": "Alaoui", "prenom": "Omar"})
	return w
}

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

// intervention creates an intervention on the client's equipment.
func (w *world) intervention(t testing.TB, titre string, urgent bool) int64 {
	t.Helper()
	return w.mustCreate(t, "/api/v1/interventions/", map[string]any{
		"equipement_id": w.equipID, "titre": titre, "urgence": urgent,
		"description":       "La pompe principale fuit au niveau du joint.",
		"type_intervention": "corrective"})
}

// act takes a workflow action on intervention id as the admin.
func (w *world) act(t testing.TB, id int64, action string, body any) {
	t.Helper()
	r := w.s.Do(t, apptest.Request{Method: http.MethodPost, Body: body,
		Path: fmt.Sprintf("/api/v1/interventions/%d/%s", id, action), Token: w.admin.Token})
	if r.StatusCode != http.StatusOK {
		t.Fatalf("%s intervention %d = %d: %s", action, id, r.StatusCode, r.Body)
	}
}

func (w *world) assign(t testing.TB, id int64) {
	t.Helper()
	w.act(t, id, "affecter", map[string]any{"technicien_id": w.techID})
}

// notification is the part of NotificationOut the tests read.
type notification struct {
	ID            int64  `json:"id"`
	TypeEvenement string `json:"type_evenement"`
	Titre         string `json:"titre"`
	Message       string `json:"message"`
	Ressource     string `json:"ressource"`
	RessourceID   *int64 `json:"ressource_id"`
	Lue           bool   `json:"lue"`
	DateCreation  string `json:"date_creation"`
}

func (w *world) list(t testing.TB, u userstest.User, query string) []notification {
	t.Helper()
	r := w.s.Get(t, "/api/v1/notifications/"+query, u.Token)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("list notifications = %d: %s", r.StatusCode, r.Body)
	}
	var out []notification
	r.JSON(t, &out)
	return out
}

// waitList waits until u has at least n notifications and returns them.
func (w *world) waitList(t testing.TB, u userstest.User, n int) []notification {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := w.list(t, u, "")
		if len(got) >= n {
			return got
		}
		if time.Now().After(deadline) {
			t.Fatalf("user %d has %d notifications, want %d", u.ID, len(got), n)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// sseEvent is one event or comment read from a stream.
type sseEvent struct {
	ID, Event, Data, Comment string
}

// stream is an open SSE connection read by a goroutine.
type stream struct {
	resp   *http.Response
	events chan sseEvent
}

// openStream opens the notification stream of url+query with header set.
func openStream(t testing.TB, base, query string, header map[string]string) (*stream, int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/api/v1/notifications/stream"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, resp.StatusCode
	}
	s := &stream{resp: resp, events: make(chan sseEvent, 100)}
	t.Cleanup(func() { resp.Body.Close() })
	go s.read()
	s.expectComment(t, "connecte")
	return s, resp.StatusCode
}

func (s *stream) read() {
	defer close(s.events)
	sc := bufio.NewScanner(s.resp.Body)
	var e sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if e != (sseEvent{}) {
				s.events <- e
			}
			e = sseEvent{}
		case strings.HasPrefix(line, ":"):
			e.Comment = strings.TrimSpace(line[1:])
		case strings.HasPrefix(line, "id: "):
			e.ID = line[4:]
		case strings.HasPrefix(line, "event: "):
			e.Event = line[7:]
		case strings.HasPrefix(line, "data: "):
			e.Data = line[6:]
		}
	}
}

// next returns the next notification event, skipping comments.
func (s *stream) next(t testing.TB, within time.Duration) sseEvent {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				t.Fatal("the stream ended")
			}
			if e.Event == "notification" {
				return e
			}
		case <-timeout:
			t.Fatalf("no notification on the stream within %s", within)
		}
	}
}

func (s *stream) expectComment(t testing.TB, text string) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				t.Fatalf("the stream ended before the %q comment", text)
			}
			if e.Comment == text {
				return
			}
		case <-timeout:
			t.Fatalf("no %q comment on the stream", text)
		}
	}
}

func bearer(u userstest.User) map[string]string {
	return map[string]string{"Authorization": "Bearer " + u.Token}
}
