// Package docs serves the interactive API documentation pages: Swagger UI and ReDoc.
//
// Every file the two pages need (scripts, style sheets, icons) is embedded in the
// binary, so the pages render on machines that have no internet access. Each
// handler is meant to be mounted at its base path and at every path below it.
package docs

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/swaggest/swgui"
	"github.com/swaggest/swgui/v5emb"
)

// SwaggerUI returns a handler serving Swagger UI at basePath (for example "/docs") for
// the OpenAPI document found at specURL (for example "/openapi.json").
//
// The page is answered at both basePath and basePath+"/", and the Swagger UI assets
// are served from paths under basePath+"/". The page title is title. Credentials
// entered through the Authorize button, such as a bearer token for an HTTP bearer
// security scheme, are kept in the browser's local storage across page reloads.
func SwaggerUI(title, specURL, basePath string) http.Handler {
	base := cleanBase(basePath)
	ui := v5emb.NewHandlerWithConfig(swgui.Config{
		Title:       title,
		SwaggerJSON: specURL,
		BasePath:    base + "/",
		SettingsUI: map[string]string{
			// Keep entered credentials when the page is reloaded.
			"persistAuthorization": "true",
		},
	})

	return &swaggerHandler{
		base: base,
		page: renderSwaggerPage(ui, base),
		ui:   ui,
	}
}

// swaggerHandler serves a pre-rendered Swagger UI page and hands every other
// request to the swgui handler, which serves the embedded assets.
type swaggerHandler struct {
	base string
	page []byte
	ui   http.Handler
}

// ServeHTTP answers the page at the base path and delegates asset paths to swgui.
func (h *swaggerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if isPagePath(r.URL.Path, h.base) {
		servePage(w, r, h.page)

		return
	}

	h.ui.ServeHTTP(w, r)
}

// renderSwaggerPage asks swgui for its index page once, at construction time. The
// page only depends on the configuration, so there is no need to render it again for
// every request. swgui adds " - Swagger UI" to the title; it is removed here so that
// the title is exactly the one given by the caller.
func renderSwaggerPage(ui http.Handler, base string) []byte {
	rec := &memoryResponse{header: http.Header{}}
	req := &http.Request{
		Method: http.MethodGet,
		URL:    &url.URL{Path: base + "/"},
		Header: http.Header{},
	}
	ui.ServeHTTP(rec, req)

	if rec.status != 0 && rec.status != http.StatusOK {
		// swgui only fails here when its own built-in template is broken.
		panic(fmt.Sprintf("docs: rendering the Swagger UI page failed with status %d: %s",
			rec.status, rec.body.String()))
	}

	return bytes.Replace(rec.body.Bytes(), []byte(" - Swagger UI</title>"), []byte("</title>"), 1)
}

// memoryResponse is a minimal http.ResponseWriter that keeps the response in memory.
type memoryResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// Header returns the response headers.
func (m *memoryResponse) Header() http.Header { return m.header }

// Write appends b to the kept body.
func (m *memoryResponse) Write(b []byte) (int, error) { return m.body.Write(b) }

// WriteHeader records the status code.
func (m *memoryResponse) WriteHeader(status int) { m.status = status }

// cleanBase turns a base path into the form used internally: it starts with a slash
// and has no trailing slash. The root path becomes the empty string.
func cleanBase(basePath string) string {
	base := strings.TrimRight(basePath, "/")
	if base != "" && !strings.HasPrefix(base, "/") {
		base = "/" + base
	}

	return base
}

// isPagePath reports whether path addresses the page itself, with or without a
// trailing slash.
func isPagePath(path, base string) bool {
	return path == base || path == base+"/"
}

// allowReadOnly answers 405 for any method other than GET and HEAD and reports
// whether the request may go on.
func allowReadOnly(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}

	w.Header().Set("Allow", http.MethodGet+", "+http.MethodHead)
	http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)

	return false
}

// servePage writes an HTML page that browsers must revalidate before reuse, so that a
// new release's page (which may point at new asset names) is picked up at once.
func servePage(w http.ResponseWriter, r *http.Request, page []byte) {
	if !allowReadOnly(w, r) {
		return
	}

	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(http.StatusOK)

	if r.Method != http.MethodHead {
		_, _ = w.Write(page)
	}
}
