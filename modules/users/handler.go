package users

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// handler serves the module's operations; the rules live in Service.
type handler struct {
	svc *Service
}

func (h *handler) list(w http.ResponseWriter, req bunrouter.Request) error {
	q := req.URL.Query()
	page, err := httpx.ParsePage(q)
	if err != nil {
		return err
	}
	f, err := parseListFilter(q)
	if err != nil {
		return err
	}
	us, total, err := list(req.Context(), h.svc.db, auth.FromContext(req.Context()), f, page)
	if err != nil {
		return err
	}
	out := make([]UserOut, len(us))
	for i := range us {
		out[i] = us[i].Out()
	}
	httpx.SetPageHeaders(w, req.Request, page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func parseListFilter(q url.Values) (listFilter, error) {
	var f fieldErrors
	lf := listFilter{Role: auth.Role(q.Get("role")), Q: q.Get("q")}
	if lf.Role != "" && !lf.Role.Valid() {
		f = append(f, httpx.QueryField("role", "enum", "rôle inconnu"))
	}
	if s := q.Get("actif"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			f = append(f, httpx.QueryField("actif", "bool_parsing", "true ou false attendu"))
		}
		lf.Actif = &b
	}
	if s := q.Get("client_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			f = append(f, httpx.QueryField("client_id", "int_parsing", "entier positif attendu"))
		}
		lf.ClientID = n
	}
	return lf, f.err()
}

func (h *handler) create(w http.ResponseWriter, req bunrouter.Request) error {
	var in UserCreate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	u, err := h.svc.Create(req.Context(), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", httpx.BasePath+"/users/"+strconv.FormatInt(u.ID, 10))
	w.Header().Set("ETag", u.ETag())
	return httpx.WriteJSON(w, http.StatusCreated, u.Out())
}

func (h *handler) get(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	u, err := get(req.Context(), h.svc.db, auth.FromContext(req.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", u.ETag())
	return httpx.WriteJSON(w, http.StatusOK, u.Out())
}

func (h *handler) update(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	var in UserUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	in.ID, in.IfMatch = id, req.Header.Get("If-Match")
	u, err := h.svc.Update(req.Context(), auth.FromContext(req.Context()), in)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", u.ETag())
	return httpx.WriteJSON(w, http.StatusOK, u.Out())
}

func (h *handler) deactivate(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := httpx.PathID(req, "id")
	if err != nil {
		return err
	}
	if err := h.svc.Deactivate(req.Context(), auth.FromContext(req.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) me(w http.ResponseWriter, req bunrouter.Request) error {
	p := auth.FromContext(req.Context())
	u, err := byID(req.Context(), h.svc.db, p.UserID)
	if isNoRows(err) {
		return httpx.ErrNotFound
	}
	if err != nil {
		return err
	}
	w.Header().Set("ETag", u.ETag())
	return httpx.WriteJSON(w, http.StatusOK, u.Out())
}

func (h *handler) updateMe(w http.ResponseWriter, req bunrouter.Request) error {
	var in UserMeUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	u, err := h.svc.UpdateMe(req.Context(), auth.FromContext(req.Context()), in)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", u.ETag())
	return httpx.WriteJSON(w, http.StatusOK, u.Out())
}

func (h *handler) audit(w http.ResponseWriter, req bunrouter.Request) error {
	q := req.URL.Query()
	page, err := httpx.ParsePage(q)
	if err != nil {
		return err
	}
	f, err := parseAuditFilter(q)
	if err != nil {
		return err
	}
	entries, total, err := audit.List(req.Context(), h.svc.db, f, page.Limit, page.Offset)
	if err != nil {
		return err
	}
	out := make([]AuditEntryOut, len(entries))
	for i, e := range entries {
		out[i] = auditOut(e)
	}
	httpx.SetPageHeaders(w, req.Request, page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func parseAuditFilter(q url.Values) (audit.Filter, error) {
	var errs fieldErrors
	f := audit.Filter{Action: q.Get("action"), Resource: q.Get("resource"),
		ResourceID: q.Get("resource_id")}
	if s := q.Get("user_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			errs = append(errs, httpx.QueryField("user_id", "int_parsing",
				"entier positif attendu"))
		}
		f.UserID = n
	}
	f.From = parseTime(&errs, q, "date_min")
	f.To = parseTime(&errs, q, "date_max")
	return f, errs.err()
}

func parseTime(errs *fieldErrors, q url.Values, name string) time.Time {
	s := q.Get(name)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		*errs = append(*errs, httpx.QueryField(name, "datetime_parsing",
			"date RFC 3339 attendue, par exemple 2025-01-27T10:00:00Z"))
	}
	return t
}
