package docs

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	_ "embed" // The ReDoc script is embedded with go:embed.
	"encoding/hex"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"
)

// redocScript is the standalone ReDoc bundle, vendored from the npm package "redoc".
// See assets/redoc/README.md for its version and how to update it.
//
//go:embed assets/redoc/redoc.standalone.js
var redocScript []byte

// redocScriptHash is the hex SHA-256 of redocScript. A prefix of it goes into the
// script's file name, so a new bundle gets a new address and may be cached for long.
var redocScriptHash = func() string {
	sum := sha256.Sum256(redocScript)

	return hex.EncodeToString(sum[:])
}()

const (
	// redocPlainName is the script's stable file name, revalidated on every use.
	redocPlainName = "redoc.standalone.js"

	// immutableCache lets browsers keep a content-addressed file for a year.
	immutableCache = "public, max-age=31536000, immutable"

	// javaScriptType is the content type of the served script.
	javaScriptType = "text/javascript; charset=utf-8"
)

// redocVersionedName is the script's content-addressed file name used by the page.
var redocVersionedName = "redoc.standalone." + redocScriptHash[:12] + ".js"

// redocGzip holds the gzip-compressed script; it is built on first use.
var redocGzip = sync.OnceValue(func() []byte {
	var buf bytes.Buffer

	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		panic(err) // Only happens with an invalid level.
	}

	// Writing to a bytes.Buffer cannot fail.
	_, _ = zw.Write(redocScript)
	_ = zw.Close()

	return buf.Bytes()
})

// redocPage is the HTML page that loads the ReDoc script. html/template escapes the
// title as text and the two addresses as URLs.
var redocPage = template.Must(template.New("redoc").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{{.Title}}</title>
  <style>body { margin: 0; padding: 0; }</style>
</head>
<body>
  <noscript>This documentation page needs JavaScript.</noscript>
  <redoc spec-url="{{.SpecURL}}"></redoc>
  <script src="{{.ScriptURL}}"></script>
</body>
</html>
`))

// redocPageData holds the values the ReDoc page template needs.
type redocPageData struct {
	Title     string
	SpecURL   string
	ScriptURL string
}

// ReDoc returns a handler serving a ReDoc page at basePath (for example "/redoc") for
// the OpenAPI document found at specURL (for example "/openapi.json").
//
// The page is answered at both basePath and basePath+"/", and the embedded ReDoc
// script is served under basePath+"/". The page title is title. The page loads the
// script through a content-addressed name that browsers may cache for a year; the same
// script is also available as basePath+"/redoc.standalone.js", revalidated on each use.
func ReDoc(title, specURL, basePath string) http.Handler {
	base := cleanBase(basePath)

	var buf bytes.Buffer

	err := redocPage.Execute(&buf, redocPageData{
		Title:     title,
		SpecURL:   specURL,
		ScriptURL: base + "/" + redocVersionedName,
	})
	if err != nil {
		// The template and its data are fixed, so this cannot happen in practice.
		panic("docs: rendering the ReDoc page: " + err.Error())
	}

	return &redocHandler{base: base, page: buf.Bytes()}
}

// redocHandler serves the ReDoc page and its script.
type redocHandler struct {
	base string
	page []byte
}

// ServeHTTP answers the page, the script, or 404 for anything else.
func (h *redocHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path

	switch {
	case isPagePath(p, h.base):
		servePage(w, r, h.page)
	case p == h.base+"/"+redocVersionedName:
		serveScript(w, r, immutableCache)
	case p == h.base+"/"+redocPlainName:
		serveScript(w, r, "no-cache")
	default:
		http.NotFound(w, r)
	}
}

// serveScript writes the ReDoc script, compressed with gzip when the client accepts
// it. Conditional and range requests are handled by http.ServeContent through the ETag.
func serveScript(w http.ResponseWriter, r *http.Request, cacheControl string) {
	if !allowReadOnly(w, r) {
		return
	}

	h := w.Header()
	h.Set("Content-Type", javaScriptType)
	h.Set("Cache-Control", cacheControl)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")

	body := redocScript
	tag := redocScriptHash[:16]

	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = redocGzip()
		tag += "-gz"

		h.Set("Content-Encoding", "gzip")
	}

	h.Set("ETag", `"`+tag+`"`)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether an Accept-Encoding header value allows gzip, that is it
// names gzip (or the "*" wildcard) without a zero quality value.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))

		if name != "gzip" && name != "*" {
			continue
		}

		if !zeroQuality(params) {
			return true
		}
	}

	return false
}

// zeroQuality reports whether a list of Accept-Encoding parameters sets q to zero.
func zeroQuality(params string) bool {
	for _, param := range strings.Split(params, ";") {
		key, value, ok := strings.Cut(strings.TrimSpace(param), "=")
		if !ok || !strings.EqualFold(strings.TrimSpace(key), "q") {
			continue
		}

		value = strings.TrimSpace(value)

		return strings.Trim(value, "0.") == "" && value != ""
	}

	return false
}
