package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/db/dbtest"
)

func startTestApp(t *testing.T, overrides map[string]any) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{Registry: testRegistry(&journal{}, ""),
		DatabaseURL: dbtest.SQLite(t).URL, Overrides: overrides})
}

func TestBadRequestsGetAProblemBodyNeverA5xx(t *testing.T) {
	t.Parallel()
	s := startTestApp(t, map[string]any{"http.max_body_bytes": 1024})
	json := map[string]string{"Content-Type": "application/json"}
	cases := []struct {
		name   string
		req    apptest.Request
		status int
		loc    string
	}{
		{"MalformedJSON", apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
			Body: `{"nom": `, Header: json}, 400, "body"},
		{"WrongFieldType", apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
			Body: `{"nom": 12}`, Header: json}, 400, "body.nom"},
		{"UnknownField", apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
			Body: `{"nom": "ab", "nmo": 1}`, Header: json}, 400, "body.nmo"},
		{"EmptyBody", apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
			Body: ``, Header: json}, 400, "body"},
		{"FieldRuleBroken", apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
			Body: `{"nom": "a"}`, Header: json}, 400, "body.nom"},
		{"WrongContentType", apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
			Body: `nom=ab`, Header: map[string]string{
				"Content-Type": "application/x-www-form-urlencoded"}}, 415, ""},
		{"MissingContentType", apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
			Body: `{"nom": "ab"}`}, 415, ""},
		{"OversizeBody", apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
			Body: `{"nom": "` + strings.Repeat("x", 2000) + `"}`, Header: json}, 413, ""},
		{"UnknownRoute", apptest.Request{Path: "/api/v1/nothing-here"}, 404, ""},
		{"WrongMethod", apptest.Request{Method: "DELETE", Path: "/api/v1/alpha/"}, 405, ""},
		{"ProtectedWithoutGuard", apptest.Request{Path: "/api/v1/alpha/secret"}, 401, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := s.Do(t, tc.req)
			if r.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", r.StatusCode, tc.status, r.Body)
			}
			p := r.Problem(t)
			if int(p["status"].(float64)) != tc.status || p["title"] == "" {
				t.Errorf("problem = %v", p)
			}
			if tc.loc == "" {
				return
			}
			errs, _ := p["errors"].([]any)
			if len(errs) == 0 {
				t.Fatalf("400 without errors list: %s", r.Body)
			}
			first := errs[0].(map[string]any)
			var loc []string
			for _, l := range first["loc"].([]any) {
				loc = append(loc, l.(string))
			}
			if strings.Join(loc, ".") != tc.loc || first["msg"] == "" || first["type"] == "" {
				t.Errorf("errors[0] = %v, want loc %s", first, tc.loc)
			}
		})
	}
}

func TestUnauthenticatedAnswersCarryTheBearerChallenge(t *testing.T) {
	t.Parallel()
	s := startTestApp(t, nil)
	r := s.Get(t, "/api/v1/alpha/secret", "")
	if r.StatusCode != 401 || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Fatalf("status %d, WWW-Authenticate %q", r.StatusCode, r.Header.Get("WWW-Authenticate"))
	}
}

func TestAPanicIsA500ThatLeaksNothing(t *testing.T) {
	t.Parallel()
	s := startTestApp(t, nil)
	r := s.Do(t, apptest.Request{Method: "POST", Path: "/api/v1/alpha/",
		Body: map[string]string{"nom": "panic"}})
	if r.StatusCode != 500 {
		t.Fatalf("status = %d", r.StatusCode)
	}
	p := r.Problem(t)
	if strings.Contains(string(r.Body), "secret internal detail") || p["request_id"] == "" {
		t.Fatalf("500 body leaks or lacks the request id: %s", r.Body)
	}
	// The server keeps serving.
	if r := s.Get(t, "/healthz", ""); r.StatusCode != 200 {
		t.Fatalf("healthz after panic = %d", r.StatusCode)
	}
}

func TestRequestIDIsAcceptedOrGeneratedAndEchoed(t *testing.T) {
	t.Parallel()
	s := startTestApp(t, nil)
	r := s.Do(t, apptest.Request{Path: "/healthz",
		Header: map[string]string{"X-Request-ID": "client-chosen-42"}})
	if got := r.Header.Get("X-Request-ID"); got != "client-chosen-42" {
		t.Errorf("echoed id = %q", got)
	}
	r = s.Get(t, "/healthz", "")
	if got := r.Header.Get("X-Request-ID"); len(got) < 16 {
		t.Errorf("generated id = %q", got)
	}
	r = s.Do(t, apptest.Request{Path: "/nope",
		Header: map[string]string{"X-Request-ID": "abc"}})
	if p := r.Problem(t); p["request_id"] != "abc" {
		t.Errorf("problem request_id = %v", p["request_id"])
	}
}

func TestCORSAllowsTheContractsFrontendWithCredentials(t *testing.T) {
	t.Parallel()
	s := startTestApp(t, nil)
	pre := s.Do(t, apptest.Request{Method: "OPTIONS", Path: "/api/v1/alpha/",
		Header: map[string]string{
			"Origin":                         "http://localhost:3000",
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "Authorization, Content-Type",
		}})
	h := pre.Header
	if pre.StatusCode != http.StatusNoContent ||
		h.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		h.Get("Access-Control-Allow-Credentials") != "true" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight = %d %v", pre.StatusCode, h)
	}
	r := s.Do(t, apptest.Request{Path: "/api/v1/alpha/",
		Header: map[string]string{"Origin": "http://localhost:3000"}})
	if r.Header.Get("Access-Control-Allow-Origin") != "http://localhost:3000" ||
		!strings.Contains(r.Header.Get("Access-Control-Expose-Headers"), "X-Total-Count") {
		t.Fatalf("simple request headers = %v", r.Header)
	}
	other := s.Do(t, apptest.Request{Path: "/api/v1/alpha/",
		Header: map[string]string{"Origin": "http://evil.example"}})
	if other.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatal("an unlisted origin was allowed")
	}
}

func TestCollectionsAnswerWithAndWithoutTheTrailingSlash(t *testing.T) {
	t.Parallel()
	s := startTestApp(t, nil)
	for _, p := range []string{"/api/v1/alpha/", "/api/v1/alpha"} {
		r := s.Do(t, apptest.Request{Method: "POST", Path: p,
			Body: map[string]string{"nom": "pompe"}})
		if r.StatusCode != http.StatusCreated {
			t.Errorf("POST %s = %d (no redirect expected)", p, r.StatusCode)
		}
	}
	var items []map[string]any
	s.Get(t, "/api/v1/alpha", "").JSON(t, &items)
	if len(items) != 2 {
		t.Fatalf("items = %v", items)
	}
}

func TestReadinessFollowsMigrations(t *testing.T) {
	t.Parallel()
	s := startTestApp(t, nil)
	if r := s.Get(t, "/readyz", ""); r.StatusCode != 200 {
		t.Fatalf("readyz = %d %s", r.StatusCode, r.Body)
	}
	a := newApp(t, testRegistry(&journal{}, ""), nil) // opened, never migrated
	h, err := a.Handler()
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	h.ServeHTTP(rec, mustRequest(t, "GET", "/readyz"))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz on an unmigrated database = %d", rec.Code)
	}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

func mustRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	return httptest.NewRequest(method, path, nil)
}
