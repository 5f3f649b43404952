package webhooks_test

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/modules/webhooks"
)

var seq atomic.Int64

// interventionModules are what creating an intervention over HTTP needs.
var interventionModules = append([]string{"clients", "equipements", "techniciens",
	"interventions"}, coreModules...)

// TestRealInterventionsReachTheReceiverSigned drives the whole chain over
// HTTP: a client, its equipment and an intervention are created through
// their APIs, and the receiver gets intervention.created signed with the
// secret the subscription generated.
func TestRealInterventionsReachTheReceiverSigned(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := start(t, target, interventionModules, fast(nil))
		rc := newReceiver(t, "")
		hook := w.subscribe(t, map[string]any{"url": rc.url(),
			"types_evenements": []string{"intervention.*"}})
		if hook.Secret == nil || len(*hook.Secret) < 32 {
			t.Fatalf("creation did not show a generated secret: %+v", hook)
		}
		rc.setSecret(*hook.Secret)

		clientID, ivID := w.createIntervention(t)
		log := w.waitLog(t, hook.ID, final(1))

		got := rc.received()
		if len(got) != 1 || !got[0].SignedOK {
			t.Fatalf("receiver got %d requests, first signed correctly: %v", len(got),
				len(got) > 0 && got[0].SignedOK)
		}
		b := got[0].Body
		if b["type"] != "intervention.created" || b["ressource"] != "intervention" ||
			b["ressource_id"] != strconv.FormatInt(ivID, 10) ||
			b["client_id"] != float64(clientID) || b["date"] == nil {
			t.Fatalf("body = %s", got[0].Raw)
		}
		if b["id"] != got[0].Header.Get("X-ERP-Event-ID") || b["id"] != log[0].EvenementID {
			t.Fatalf("event id: body %v, header %q, log %q", b["id"],
				got[0].Header.Get("X-ERP-Event-ID"), log[0].EvenementID)
		}
		donnees, _ := b["donnees"].(map[string]any)
		if donnees["titre"] != "Réparation pompe principale" {
			t.Fatalf("donnees = %v", b["donnees"])
		}
		l := log[0]
		if l.Statut != webhooks.StatutReussie || l.NombreTentatives != 1 ||
			len(l.Tentatives) != 1 || *l.Tentatives[0].CodeHTTP != http.StatusNoContent ||
			l.DateLivraison == nil {
			t.Fatalf("log = %+v", l)
		}
	})
}

// createIntervention creates a client, an equipment and an intervention
// through their APIs and returns the client's and the intervention's ids.
func (w *world) createIntervention(t testing.TB) (int64, int64) {
	t.Helper()
	n := seq.Add(1)
	clientID := w.mustCreate(t, "/api/v1/clients/", map[string]any{
		"nom": fmt.Sprintf("Client %d", n), "code": fmt.Sprintf("CLI-%d", n)})
	equipID := w.mustCreate(t, "/api/v1/equipements/", map[string]any{
		"client_id": clientID, "nom": "Pompe principale",
		"numero_serie": fmt.Sprintf("SN-%d", n), "criticite": "haute"})
	ivID := w.mustCreate(t, "/api/v1/interventions/", map[string]any{
		"equipement_id": equipID, "titre": "Réparation pompe principale",
		"description":       "La pompe principale fuit au niveau du joint.",
		"type_intervention": "corrective"})
	return clientID, ivID
}

func (w *world) mustCreate(t testing.TB, path string, body any) int64 {
	t.Helper()
	r := w.post(t, path, body, w.admin.Token)
	wantStatus(t, r, http.StatusCreated)
	var out struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &out)
	return out.ID
}

// TestAFlakyReceiverGetsOneAcceptedDeliveryAndAReplay: two 500s, then a
// success, is one accepted delivery with three attempts logged; a replay
// delivers the same event id again.
func TestAFlakyReceiverGetsOneAcceptedDeliveryAndAReplay(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := start(t, target, coreModules, fast(nil))
		rc := newReceiver(t, "secret-de-test-0123456789")
		rc.failFirst(2)
		hook := w.subscribe(t, map[string]any{"url": rc.url(), "types_evenements": []string{
			"intervention.closed"}, "secret": "secret-de-test-0123456789"})

		eventID := w.record(t, events.Event{Type: "intervention.closed", ClientID: 4})
		log := w.waitLog(t, hook.ID, final(1))

		l := log[0]
		codes := []int{}
		for _, a := range l.Tentatives {
			codes = append(codes, *a.CodeHTTP)
		}
		if l.Statut != webhooks.StatutReussie || l.NombreTentatives != 3 ||
			!slices.Equal(codes, []int{500, 500, 204}) || l.EvenementID != eventID {
			t.Fatalf("log = %+v, codes %v", l, codes)
		}
		if a := l.Tentatives[0]; a.Numero != 1 || a.Erreur == nil ||
			!strings.Contains(*a.Erreur, "500") {
			t.Fatalf("first attempt = %+v", a)
		}
		got := rc.received()
		if len(got) != 3 || accepted(got) != 1 {
			t.Fatalf("receiver got %d requests", len(got))
		}
		for _, d := range got {
			if !d.SignedOK || d.Header.Get("X-ERP-Event-ID") != eventID {
				t.Fatalf("attempt not signed or with another event id: %v", d.Header)
			}
		}

		r := w.post(t, replayPath(hook.ID, l.ID), nil, w.admin.Token)
		wantStatus(t, r, http.StatusAccepted)
		log = w.waitLog(t, hook.ID, final(2))
		if log[0].RejeuDe == nil || *log[0].RejeuDe != l.ID ||
			log[0].EvenementID != eventID || log[0].Statut != webhooks.StatutReussie {
			t.Fatalf("replay log = %+v", log[0])
		}
		got = rc.received()
		if len(got) != 4 || got[3].Body["id"] != eventID || !got[3].SignedOK ||
			string(got[3].Raw) != string(got[2].Raw) {
			t.Fatalf("replay delivered %s", got[len(got)-1].Raw)
		}

		wantStatus(t, w.post(t, replayPath(hook.ID, l.ID+1000), nil, w.admin.Token),
			http.StatusNotFound)

		t.Run("RedirectsAreNotFollowed", w.redirectsAreNotFollowed)
	})
}

// accepted counts the requests the receiver answered with a success.
func accepted(got []delivery) int {
	n := 0
	for _, d := range got {
		if d.Status < 300 {
			n++
		}
	}
	return n
}

func replayPath(hook, livraison int64) string {
	return fmt.Sprintf("/api/v1/webhooks/%d/livraisons/%d/rejouer", hook, livraison)
}

// redirectsAreNotFollowed: a 302 is a failed attempt, retried until the
// attempts run out, and the redirect target never hears of the event.
func (w *world) redirectsAreNotFollowed(t *testing.T) {
	inner := newReceiver(t, "")
	redirect := httptest.NewServer(http.RedirectHandler(inner.url(), http.StatusFound))
	t.Cleanup(redirect.Close)
	hook := w.subscribe(t, map[string]any{"url": redirect.URL,
		"types_evenements": []string{"intervention.created"}})

	w.record(t, events.Event{Type: "intervention.created"})
	log := w.waitLog(t, hook.ID, final(1))

	l := log[0]
	if l.Statut != webhooks.StatutEchouee || l.NombreTentatives != 3 ||
		*l.Tentatives[2].CodeHTTP != http.StatusFound {
		t.Fatalf("log = %+v", l)
	}
	if n := len(inner.received()); n != 0 {
		t.Fatalf("redirect target got %d requests", n)
	}
}

// TestEventsReachOnlyTheSubscriptionsThatSelectThem checks the type
// patterns, the client filter and deactivation.
func TestEventsReachOnlyTheSubscriptionsThatSelectThem(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := start(t, target, coreModules, fast(nil))
		rc := newReceiver(t, "")
		closed := w.subscribe(t, map[string]any{"url": rc.url() + "?h=closed",
			"types_evenements": []string{"intervention.closed"}})
		client4 := w.subscribe(t, map[string]any{"url": rc.url() + "?h=client4",
			"types_evenements": []string{"*"}, "client_id": 4})
		off := w.subscribe(t, map[string]any{"url": rc.url() + "?h=off",
			"types_evenements": []string{"*"}, "actif": false})
		resource := w.subscribe(t, map[string]any{"url": rc.url() + "?h=resource",
			"types_evenements": []string{"intervention.*"}})

		created4 := w.record(t, events.Event{Type: "intervention.created", ClientID: 4})
		closed5 := w.record(t, events.Event{Type: "intervention.closed", ClientID: 5})
		other := w.record(t, events.Event{Type: "client.updated", Resource: "client",
			ResourceID: "4", ClientID: 4})
		w.settle(t)

		cases := []struct {
			name string
			id   int64
			want []string
		}{
			{"TypeFilter", closed.ID, []string{closed5}},
			{"ClientFilter", client4.ID, []string{other, created4}},
			{"Inactive", off.ID, nil},
			{"ResourcePattern", resource.ID, []string{closed5, created4}},
		}
		for _, tc := range cases {
			var ids []string
			for _, l := range w.livraisons(t, tc.id) {
				ids = append(ids, l.EvenementID)
			}
			slices.Sort(ids)
			slices.Sort(tc.want)
			if !slices.Equal(ids, tc.want) {
				t.Errorf("%s: delivered %v, want %v", tc.name, ids, tc.want)
			}
		}
		if n := len(rc.received()); n != 5 {
			t.Errorf("receiver got %d requests, want 5", n)
		}
	})
}

// TestPrivateAddressesAreRefused runs with the default
// allow_private_addresses=false: literal internal addresses are refused
// at subscription, and a host name resolving to loopback at delivery.
func TestPrivateAddressesAreRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := start(t, target, coreModules, fast(map[string]any{
			"webhooks.allow_private_addresses": false}))
		for _, u := range []string{"http://127.0.0.1:8080/x", "https://[::1]/x",
			"https://10.1.2.3/", "https://172.16.0.9/", "https://192.168.1.1/",
			"https://169.254.169.254/latest/meta-data", "https://[fe80::1]/",
			"https://[fd00::1]/", "https://0.0.0.0/", "https://224.0.0.1/",
			"https://[::ffff:127.0.0.1]/"} {
			r := w.post(t, "/api/v1/webhooks/", map[string]any{"url": u,
				"types_evenements": []string{"*"}}, w.admin.Token)
			if got := fieldErrors(t, r)["url"]; got != "url_forbidden_address" {
				t.Errorf("%s: url error %q", u, got)
			}
		}

		rc := newReceiver(t, "")
		port := strconv.Itoa(rc.srv.Listener.Addr().(*net.TCPAddr).Port)
		hook := w.subscribe(t, map[string]any{"url": "http://localhost:" + port + "/hook",
			"types_evenements": []string{"*"}})
		w.record(t, events.Event{Type: "intervention.created"})
		log := w.waitLog(t, hook.ID, final(1))

		l := log[0]
		if l.Statut != webhooks.StatutEchouee || l.NombreTentatives != 1 ||
			l.Tentatives[0].Erreur == nil ||
			!strings.Contains(*l.Tentatives[0].Erreur, "adresse interdite") {
			t.Fatalf("log = %+v", l)
		}
		if n := len(rc.received()); n != 0 {
			t.Fatalf("loopback receiver got %d requests", n)
		}
	})
}

// TestProdRequiresHTTPS: the prod profile refuses plain http URLs. It is
// validation only, so one database is enough.
func TestProdRequiresHTTPS(t *testing.T) {
	t.Parallel()
	w := start(t, dbtest.SQLite(t), coreModules, map[string]any{"profile": "prod"})
	r := w.post(t, "/api/v1/webhooks/", map[string]any{
		"url": "http://integrateur.example.com/hook", "types_evenements": []string{"*"}},
		w.admin.Token)
	if got := fieldErrors(t, r)["url"]; got != "url_scheme" {
		t.Fatalf("url error %q", got)
	}
	r = w.post(t, "/api/v1/webhooks/", map[string]any{
		"url": "https://integrateur.example.com/hook", "types_evenements": []string{"*"}},
		w.admin.Token)
	wantStatus(t, r, http.StatusCreated)
	r = w.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: "/api/v1/webhooks/" +
		idOf(t, r), Body: map[string]any{"url": "http://integrateur.example.com/hook"},
		Token: w.admin.Token})
	if got := fieldErrors(t, r)["url"]; got != "url_scheme" {
		t.Fatalf("update url error %q", got)
	}
}

func idOf(t testing.TB, r *apptest.Response) string {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &out)
	return strconv.FormatInt(out.ID, 10)
}
