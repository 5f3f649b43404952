package httpx

import (
	"net/http"
	"net/url"
	"strconv"
)

// Paging limits.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// Page is the window of a list request.
type Page struct {
	Limit  int
	Offset int
}

// ParsePage reads limit and offset from the query, answering a 400 naming
// the parameter when one is not a number in range.
func ParsePage(q url.Values) (Page, error) {
	p := Page{Limit: DefaultLimit}
	var fields []FieldError
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit {
			fields = append(fields, QueryField("limit", "value_error",
				"entier entre 1 et "+strconv.Itoa(MaxLimit)+" attendu"))
		}
		p.Limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			fields = append(fields, QueryField("offset", "value_error",
				"entier positif ou nul attendu"))
		}
		p.Offset = n
	}
	if len(fields) > 0 {
		return p, Invalid(fields...)
	}
	return p, nil
}

// SetPageHeaders sets X-Total-Count and a Link header with next and prev
// relations, keeping the request's other query parameters.
func SetPageHeaders(w http.ResponseWriter, r *http.Request, p Page, total int) {
	h := w.Header()
	h.Set("X-Total-Count", strconv.Itoa(total))
	var link string
	if p.Offset+p.Limit < total {
		link = pageLink(r, p.Limit, p.Offset+p.Limit, "next")
	}
	if p.Offset > 0 {
		prev := max(p.Offset-p.Limit, 0)
		if link != "" {
			link += ", "
		}
		link += pageLink(r, p.Limit, prev, "prev")
	}
	if link != "" {
		h.Set("Link", link)
	}
}

func pageLink(r *http.Request, limit, offset int, rel string) string {
	q := r.URL.Query()
	q.Set("limit", strconv.Itoa(limit))
	q.Set("offset", strconv.Itoa(offset))
	u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
	return "<" + u.String() + `>; rel="` + rel + `"`
}
