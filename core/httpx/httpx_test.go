package httpx_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/httpx"
)

func TestProblemMergesExtraMembers(t *testing.T) {
	t.Parallel()
	p := httpx.Problem{Type: "about:blank", Title: "Conflict", Status: 409,
		Extra: map[string]any{"statut": "ouverte", "actions_autorisees": []string{"affecter"}}}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	if got["statut"] != "ouverte" || got["status"] != float64(409) {
		t.Fatalf("problem = %s", b)
	}
}

func TestPageHeaders(t *testing.T) {
	t.Parallel()
	q := url.Values{"limit": {"10"}, "offset": {"10"}, "statut": {"ouverte"}}
	p, err := httpx.ParsePage(q)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/api/v1/interventions/?"+q.Encode(), nil)
	w := httptest.NewRecorder()
	httpx.SetPageHeaders(w, r, p, 35)
	link := w.Header().Get("Link")
	if w.Header().Get("X-Total-Count") != "35" ||
		link != `</api/v1/interventions/?limit=10&offset=20&statut=ouverte>; rel="next", `+
			`</api/v1/interventions/?limit=10&offset=0&statut=ouverte>; rel="prev"` {
		t.Fatalf("headers = %v", w.Header())
	}
	for _, bad := range []url.Values{{"limit": {"0"}}, {"limit": {"501"}},
		{"offset": {"-1"}}, {"limit": {"x"}}} {
		if _, err := httpx.ParsePage(bad); err == nil {
			t.Errorf("ParsePage(%v) accepted", bad)
		}
	}
}

func TestRouterPath(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"/interventions/":                  "/interventions/",
		"/interventions/{id}":              "/interventions/:id",
		"/interventions/{id}/commentaires": "/interventions/:id/commentaires",
	}
	for in, want := range cases {
		if got := httpx.RouterPath(in); got != want {
			t.Errorf("RouterPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckNamesTheModulesOfAClash(t *testing.T) {
	t.Parallel()
	api := httpx.NewAPI()
	h := func(http.ResponseWriter, bunrouter.Request) error { return nil }
	api.ForModule("one").Handle(httpx.Operation{ID: "a", Method: "GET", Path: "/x/{id}",
		Tag: "filtres", Handler: h})
	api.ForModule("two").Handle(httpx.Operation{ID: "b", Method: "GET", Path: "/x/{key}",
		Tag: "filtres", Handler: h})
	_, err := httpx.NewHandler(api, httpx.Options{})
	if err == nil || !contains(err.Error(), `module "one"`, `module "two"`) {
		t.Fatalf("NewHandler = %v; want the clash named", err)
	}
}

func contains(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

// BenchmarkStack measures what the kernel adds to every request: request id,
// access log, recovery, CORS, body limit, routing and the error middleware.
func BenchmarkStack(b *testing.B) {
	api := httpx.NewAPI()
	api.ForModule("bench").Handle(httpx.Operation{ID: "get", Method: "GET",
		Path: "/items/{id}", Tag: "filtres", Public: true,
		Handler: func(w http.ResponseWriter, r bunrouter.Request) error {
			_, err := w.Write([]byte(r.Param("id")))
			return err
		}})
	h, err := httpx.NewHandler(api, httpx.Options{
		Logger:       slog.New(slog.NewJSONHandler(io.Discard, nil)),
		MaxBodyBytes: 1 << 20,
		CORS:         httpx.CORS{AllowedOrigins: []string{"http://localhost:3000"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/items/42", nil)
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

func TestSortParse(t *testing.T) {
	t.Parallel()
	s := httpx.Sort{Keys: []string{"nom", "date_creation"},
		Columns: map[string]string{"nom": "nom", "date_creation": "date_creation"},
		Default: "nom ASC, id ASC", TieBreak: "id"}
	cases := map[string]string{
		"":               "nom ASC, id ASC",
		"nom":            "nom ASC, id ASC",
		"-date_creation": "date_creation DESC, id DESC",
	}
	for in, want := range cases {
		if got, fe := s.Parse(in); fe != nil || got != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", in, got, fe, want)
		}
	}
	if _, fe := s.Parse("titre; DROP TABLE x"); fe == nil ||
		!strings.Contains(fe.Msg, "nom, date_creation") {
		t.Errorf("unknown key accepted or not explained: %v", fe)
	}
}
