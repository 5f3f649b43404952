package webhooks_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/events"
	_ "github.com/erp-interventions/erp/modules/all"
	"github.com/erp-interventions/erp/modules/users/userstest"
	"github.com/erp-interventions/erp/modules/webhooks"
)

// coreModules are enough to manage webhooks and feed them recorded events.
var coreModules = []string{"users", "auth", "webhooks"}

// fast are the settings that make deliveries and retries quick in tests.
// Loopback receivers need allow_private_addresses, set explicitly.
func fast(extra map[string]any) map[string]any {
	o := map[string]any{
		"webhooks.allow_private_addresses": true,
		"webhooks.retry_delay":             "50ms",
		"webhooks.timeout":                 "3s",
		"webhooks.max_attempts":            3,
		"jobs.poll_interval":               "50ms",
	}
	for k, v := range extra {
		o[k] = v
	}
	return o
}

// world is a running app with an administrator.
type world struct {
	s     *apptest.Server
	admin userstest.User
}

func start(t testing.TB, target dbtest.Target, enabled []string,
	overrides map[string]any) *world {
	t.Helper()
	s := apptest.Start(t, apptest.Options{DatabaseURL: target.URL, Enabled: enabled,
		Overrides: overrides})
	return &world{s: s, admin: userstest.Create(t, s, coreauth.RoleAdmin, 0)}
}

// webhookOut is WebhookOut as the tests read it.
type webhookOut struct {
	ID       int64    `json:"id"`
	URL      string   `json:"url"`
	Secret   *string  `json:"secret"`
	Types    []string `json:"types_evenements"`
	ClientID *int64   `json:"client_id"`
	Actif    bool     `json:"actif"`
}

// subscribe creates a webhook as the admin and fails unless it answers 201.
func (w *world) subscribe(t testing.TB, body map[string]any) webhookOut {
	t.Helper()
	r := w.post(t, "/api/v1/webhooks/", body, w.admin.Token)
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create webhook = %d: %s", r.StatusCode, r.Body)
	}
	var out webhookOut
	r.JSON(t, &out)
	return out
}

func (w *world) post(t testing.TB, path string, body any, token string) *apptest.Response {
	t.Helper()
	return w.s.Do(t, apptest.Request{Method: http.MethodPost, Path: path, Body: body,
		Token: token})
}

// livraisons reads the delivery log of webhook id.
func (w *world) livraisons(t testing.TB, id int64) []webhooks.LivraisonOut {
	t.Helper()
	r := w.s.Get(t, "/api/v1/webhooks/"+strconv.FormatInt(id, 10)+"/livraisons",
		w.admin.Token)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("livraisons = %d: %s", r.StatusCode, r.Body)
	}
	var out []webhooks.LivraisonOut
	r.JSON(t, &out)
	return out
}

// waitLog waits until the delivery log of webhook id satisfies ok.
func (w *world) waitLog(t testing.TB, id int64,
	ok func([]webhooks.LivraisonOut) bool) []webhooks.LivraisonOut {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		log := w.livraisons(t, id)
		if ok(log) {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery log of webhook %d never settled: %+v", id, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// final reports whether every delivery of a log is over and there are n.
func final(n int) func([]webhooks.LivraisonOut) bool {
	return func(log []webhooks.LivraisonOut) bool {
		if len(log) != n {
			return false
		}
		for _, l := range log {
			if l.Statut == webhooks.StatutEnAttente {
				return false
			}
		}
		return true
	}
}

// record commits one event, as a domain write would.
func (w *world) record(t testing.TB, e events.Event) string {
	t.Helper()
	if e.ID == "" {
		e.ID = events.NewID()
	}
	if e.Resource == "" {
		e.Resource, e.ResourceID = "intervention", "7"
	}
	if e.Payload == nil {
		e.Payload = map[string]any{"titre": "Réparation pompe"}
	}
	ctx := context.Background()
	err := w.s.App.DB.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		return events.Record(ctx, tx, e)
	})
	if err != nil {
		t.Fatal(err)
	}
	return e.ID
}

// settle waits until every committed event was relayed and every job ran
// to its end, so that what was not delivered never will be.
func (w *world) settle(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		pending, err := w.s.App.DB.NewSelect().Table("event_outbox").
			Where("published_at IS NULL").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		running, err := w.s.App.DB.NewSelect().Table("river_job").
			Where("state NOT IN ('completed', 'cancelled', 'discarded')").Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 && running == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("events and jobs did not settle")
}

// delivery is one request a receiver got.
type delivery struct {
	Header   http.Header
	Body     map[string]any
	Raw      []byte
	SignedOK bool
	Status   int // what the receiver answered
}

// receiver is a real HTTP server that takes webhooks and checks their
// signature with its own HMAC code, independent of the module's.
type receiver struct {
	srv *httptest.Server

	mu       sync.Mutex
	secret   string
	failures int // answer 500 to this many requests first
	calls    []delivery
}

func newReceiver(t testing.TB, secret string) *receiver {
	t.Helper()
	rc := &receiver{secret: secret}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) url() string { return rc.srv.URL + "/hook" }

func (rc *receiver) setSecret(s string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.secret = s
}

func (rc *receiver) failFirst(n int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.failures = n
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	d := delivery{Header: r.Header.Clone(), Raw: raw,
		SignedOK: verify(rc.secret, r.Header, raw)}
	_ = json.Unmarshal(raw, &d.Body)
	d.Status = http.StatusNoContent
	if len(rc.calls) < rc.failures {
		d.Status = http.StatusInternalServerError
	}
	rc.calls = append(rc.calls, d)
	rc.mu.Unlock()
	w.WriteHeader(d.Status)
}

// received returns a copy of every request so far.
func (rc *receiver) received() []delivery {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]delivery(nil), rc.calls...)
}

// verify is what an integrator writes: recompute the HMAC of
// "<timestamp>.<body>", compare in constant time, refuse stale timestamps.
func verify(secret string, h http.Header, body []byte) bool {
	ts := h.Get("X-ERP-Timestamp")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || time.Since(time.Unix(sec, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "." + string(body)))
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	return hmac.Equal([]byte(want), []byte(h.Get("X-ERP-Signature")))
}

func wantStatus(t testing.TB, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s = %d, want %d: %s", r.Request.Method, r.Request.URL.Path,
			r.StatusCode, status, r.Body)
	}
}

// fieldErrors returns the "body.<field>" locations and types of a 400.
func fieldErrors(t testing.TB, r *apptest.Response) map[string]string {
	t.Helper()
	wantStatus(t, r, http.StatusBadRequest)
	var p struct {
		Errors []struct {
			Loc  []string `json:"loc"`
			Type string   `json:"type"`
		} `json:"errors"`
	}
	r.JSON(t, &p)
	out := map[string]string{}
	for _, e := range p.Errors {
		if len(e.Loc) == 2 {
			out[e.Loc[1]] = e.Type
		}
	}
	return out
}
