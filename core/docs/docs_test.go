package docs

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// testSpec is a tiny but valid OpenAPI 3.0.3 document with a bearer security scheme.
const testSpec = `{
  "openapi": "3.0.3",
  "info": {"title": "ERP Interventions", "version": "1.0.0"},
  "paths": {
    "/ping": {
      "get": {
        "summary": "Check that the service answers",
        "operationId": "ping",
        "responses": {"200": {"description": "The service is up"}}
      }
    }
  },
  "components": {
    "securitySchemes": {"BearerAuth": {"type": "http", "scheme": "bearer"}}
  },
  "security": [{"BearerAuth": []}]
}`

// testPageTitle differs from the spec's title on purpose: the spec's title can then
// only reach the page through the documentation UI reading and rendering the spec.
const testPageTitle = "API reference (test)"

// newTestMux serves the test spec and both documentation UIs, each mounted the way an
// application would mount them: at the base path and at every path below it.
func newTestMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/openapi.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, testSpec)
	})

	swagger := SwaggerUI(testPageTitle, "/openapi.json", "/docs")
	mux.Handle("/docs", swagger)
	mux.Handle("/docs/", swagger)

	redoc := ReDoc(testPageTitle, "/openapi.json", "/redoc")
	mux.Handle("/redoc", redoc)
	mux.Handle("/redoc/", redoc)

	return mux
}

// do runs one request against h and returns the recorded response.
func do(h http.Handler, method, target string, header http.Header) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		req.Header[k] = v
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)

	return rec
}

// remoteAsset matches a script, style sheet or icon loaded from another host.
var remoteAsset = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?(https?:)?//`)

func TestSwaggerUIPage(t *testing.T) {
	h := newTestMux()

	for _, path := range []string{"/docs", "/docs/"} {
		rec := do(h, http.MethodGet, path, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d, want 200", path, rec.Code)
		}

		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: content type %q, want text/html", path, ct)
		}

		body := rec.Body.String()
		wants := []string{
			"<title>" + testPageTitle + "</title>",
			`href="/docs/swagger-ui.css"`,
			`src="/docs/swagger-ui-bundle.js"`,
			`src="/docs/swagger-ui-standalone-preset.js"`,
			`"swaggerJsonUrl":"/openapi.json"`,
			"persistAuthorization: true",
		}
		for _, want := range wants {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: page lacks %q", path, want)
			}
		}

		if m := remoteAsset.FindString(body); m != "" {
			t.Errorf("GET %s: page loads an asset from another host: %q", path, m)
		}
	}
}

func TestSwaggerUIAssets(t *testing.T) {
	h := newTestMux()

	assets := map[string]string{
		"/docs/swagger-ui-bundle.js":            "javascript",
		"/docs/swagger-ui-standalone-preset.js": "javascript",
		"/docs/swagger-ui.css":                  "text/css",
		"/docs/favicon-32x32.png":               "image/png",
	}
	for path, wantType := range assets {
		for _, enc := range []string{"", "gzip"} {
			rec := do(h, http.MethodGet, path, http.Header{"Accept-Encoding": {enc}})
			if rec.Code != http.StatusOK {
				t.Errorf("GET %s (encoding %q): status %d, want 200", path, enc, rec.Code)

				continue
			}

			if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, wantType) {
				t.Errorf("GET %s: content type %q, want %s", path, ct, wantType)
			}

			if rec.Body.Len() < 200 {
				t.Errorf("GET %s: only %d bytes", path, rec.Body.Len())
			}
		}
	}

	if rec := do(h, http.MethodGet, "/docs/no-such-file.js", nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET unknown asset: status %d, want 404", rec.Code)
	}
}

func TestSwaggerUIEscapesTitle(t *testing.T) {
	h := SwaggerUI(`Tom & "Jerry" <b>`, "/openapi.json", "/docs/")

	body := do(h, http.MethodGet, "/docs", nil).Body.String()
	if strings.Contains(body, "<b>") {
		t.Error("title was not escaped")
	}

	if !strings.Contains(body, "<title>Tom &amp; &#34;Jerry&#34; &lt;b&gt;</title>") {
		t.Errorf("escaped title not found in page")
	}
}

func TestSwaggerUIAtRoot(t *testing.T) {
	h := SwaggerUI("Root", "/openapi.json", "/")

	rec := do(h, http.MethodGet, "/", nil)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, `src="/swagger-ui-bundle.js"`) {
		t.Fatalf("GET /: status %d, page does not load /swagger-ui-bundle.js", rec.Code)
	}

	if rec := do(h, http.MethodGet, "/swagger-ui-bundle.js", nil); rec.Code != http.StatusOK {
		t.Errorf("GET /swagger-ui-bundle.js: status %d, want 200", rec.Code)
	}
}

func TestPagesRejectWrites(t *testing.T) {
	h := newTestMux()

	for _, path := range []string{"/docs", "/redoc", "/redoc/" + redocVersionedName} {
		rec := do(h, http.MethodPost, path, nil)
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("POST %s: status %d, want 405", path, rec.Code)
		}
	}

	rec := do(h, http.MethodHead, "/redoc", nil)
	if rec.Code != http.StatusOK {
		t.Errorf("HEAD /redoc: status %d, want 200", rec.Code)
	}
}

func TestReDocPage(t *testing.T) {
	h := newTestMux()

	for _, path := range []string{"/redoc", "/redoc/"} {
		rec := do(h, http.MethodGet, path, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: status %d, want 200", path, rec.Code)
		}

		if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("GET %s: content type %q", path, ct)
		}

		body := rec.Body.String()
		wants := []string{
			"<title>" + testPageTitle + "</title>",
			`<redoc spec-url="/openapi.json"></redoc>`,
			`<script src="/redoc/` + redocVersionedName + `"></script>`,
		}
		for _, want := range wants {
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: page lacks %q", path, want)
			}
		}

		if m := remoteAsset.FindString(body); m != "" {
			t.Errorf("GET %s: page loads an asset from another host: %q", path, m)
		}
	}
}

func TestReDocEscapesInput(t *testing.T) {
	h := ReDoc(`</title><script>alert(1)</script>`, `javascript:alert(2)`, "/api/redoc")

	body := do(h, http.MethodGet, "/api/redoc/", nil).Body.String()
	if strings.Contains(body, "alert(1)</script>") || strings.Contains(body, "javascript:") {
		t.Fatalf("page does not escape its input:\n%s", body)
	}

	if !strings.Contains(body, "<title>&lt;/title&gt;&lt;script&gt;") {
		t.Errorf("escaped title not found:\n%s", body)
	}

	h = ReDoc("x", `/spec.json?a="b"&c=d`, "/api/redoc")

	body = do(h, http.MethodGet, "/api/redoc", nil).Body.String()
	if !strings.Contains(body, `spec-url="/spec.json?a=%22b%22&amp;c=d"`) {
		t.Errorf("spec URL not escaped as expected:\n%s", body)
	}

	if !strings.Contains(body, `src="/api/redoc/`+redocVersionedName+`"`) {
		t.Errorf("script not addressed under the base path:\n%s", body)
	}
}

func TestReDocScript(t *testing.T) {
	h := newTestMux()
	versioned := "/redoc/" + redocVersionedName

	rec := do(h, http.MethodGet, versioned, nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", versioned, rec.Code)
	}

	if !bytes.Equal(rec.Body.Bytes(), redocScript) {
		t.Error("served script differs from the embedded one")
	}

	headers := map[string]string{
		"Content-Type":  "text/javascript; charset=utf-8",
		"Cache-Control": "public, max-age=31536000, immutable",
		"Vary":          "Accept-Encoding",
	}
	for k, want := range headers {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}

	// A client that has the script answers with its ETag and gets 304.
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on the script")
	}

	rec = do(h, http.MethodGet, versioned, http.Header{"If-None-Match": {etag}})
	if rec.Code != http.StatusNotModified {
		t.Errorf("conditional GET: status %d, want 304", rec.Code)
	}

	// With gzip accepted, the body is compressed and unpacks to the same script.
	rec = do(h, http.MethodGet, versioned, http.Header{"Accept-Encoding": {"br, gzip"}})
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatal("script not compressed although gzip was accepted")
	}

	if rec.Body.Len() >= len(redocScript) {
		t.Errorf("compressed script is not smaller: %d bytes", rec.Body.Len())
	}

	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatalf("gzip reader: %v", err)
	}

	plain, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(plain, redocScript) {
		t.Errorf("compressed script does not unpack to the embedded one (err %v)", err)
	}

	if rec.Header().Get("ETag") == etag {
		t.Error("compressed and plain script share an ETag")
	}

	// The stable name works too, but must be revalidated.
	rec = do(h, http.MethodGet, "/redoc/"+redocPlainName, nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("GET stable name: status %d, Cache-Control %q", rec.Code,
			rec.Header().Get("Cache-Control"))
	}

	if rec := do(h, http.MethodGet, "/redoc/other.js", nil); rec.Code != http.StatusNotFound {
		t.Errorf("GET unknown file: status %d, want 404", rec.Code)
	}
}

func TestEmbeddedReDocScript(t *testing.T) {
	// The bundle is about a megabyte; a tiny file means the asset was lost or replaced.
	if len(redocScript) < 500_000 {
		t.Fatalf("embedded ReDoc script has only %d bytes", len(redocScript))
	}

	if !bytes.Contains(redocScript, []byte("spec-url")) {
		t.Error("embedded ReDoc script does not look like the standalone bundle")
	}
}

func TestAcceptsGzip(t *testing.T) {
	cases := map[string]bool{
		"":                     false,
		"gzip":                 true,
		"GZIP":                 true,
		"deflate, gzip;q=0.5":  true,
		"br;q=1.0, gzip ; q=0": false,
		"gzip;q=0.000":         false,
		"*":                    true,
		"*;q=0":                false,
		"identity":             false,
		"x-gzip-like":          false,
	}
	for header, want := range cases {
		if got := acceptsGzip(header); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

func TestCleanBase(t *testing.T) {
	cases := map[string]string{
		"":        "",
		"/":       "",
		"/docs":   "/docs",
		"/docs/":  "/docs",
		"docs":    "/docs",
		"/a/b//":  "/a/b",
		"/api/v1": "/api/v1",
	}
	for in, want := range cases {
		if got := cleanBase(in); got != want {
			t.Errorf("cleanBase(%q) = %q, want %q", in, got, want)
		}
	}
}
