package notifications

import (
	"net/http"
	"slices"
	"strconv"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

func (m *Module) list(w http.ResponseWriter, req bunrouter.Request) error {
	q := req.URL.Query()
	page, err := httpx.ParsePage(q)
	if err != nil {
		return err
	}
	unread, err := parseBool(q.Get("non_lues"))
	if err != nil {
		return err
	}
	p := auth.FromContext(req.Context())
	rows, total, err := listNotifications(req.Context(), m.db, p.UserID, unread, page)
	if err != nil {
		return err
	}
	out := make([]NotificationOut, len(rows))
	for i := range rows {
		out[i] = rows[i].out()
	}
	httpx.SetPageHeaders(w, req.Request, page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func parseBool(s string) (bool, error) {
	switch s {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, httpx.Invalid(httpx.QueryField("non_lues", "bool_parsing",
		"true ou false attendu"))
}

func (m *Module) count(w http.ResponseWriter, req bunrouter.Request) error {
	p := auth.FromContext(req.Context())
	n, err := countUnread(req.Context(), m.db, p.UserID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, CompteurOut{NonLues: n})
}

func (m *Module) markOne(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := strconv.ParseInt(req.Param("id"), 10, 64)
	if err != nil || id < 1 {
		return httpx.NotFound()
	}
	p := auth.FromContext(req.Context())
	n, err := markRead(req.Context(), m.db, p.UserID, id)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, n.out())
}

func (m *Module) markAll(w http.ResponseWriter, req bunrouter.Request) error {
	p := auth.FromContext(req.Context())
	n, err := markAllRead(req.Context(), m.db, p.UserID)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, MarquageOut{Marquees: n})
}

func (m *Module) ticket(w http.ResponseWriter, req bunrouter.Request) error {
	p := auth.FromContext(req.Context())
	t, err := issueTicket(req.Context(), m.db, p.UserID, m.cfg.TicketTTL)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusCreated, t)
}

func (m *Module) getPreferences(w http.ResponseWriter, req bunrouter.Request) error {
	p := auth.FromContext(req.Context())
	prefs, err := loadPreferences(req.Context(), m.db, p.UserID, m.cfg.DefaultLanguage)
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, prefs.out())
}

func (m *Module) putPreferences(w http.ResponseWriter, req bunrouter.Request) error {
	var in PreferencesUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	if err := validatePreferences(in); err != nil {
		return err
	}
	ctx := req.Context()
	p := auth.FromContext(ctx)
	prefs, err := loadPreferences(ctx, m.db, p.UserID, m.cfg.DefaultLanguage)
	if err != nil {
		return err
	}
	prefs.apply(in)
	if err := savePreferences(ctx, m.db, p.UserID, prefs); err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, prefs.out())
}

func validatePreferences(in PreferencesUpdate) error {
	var errs []httpx.FieldError
	if in.Langue != "" && !slices.Contains(languages, in.Langue) {
		errs = append(errs, httpx.Field("langue", "enum", "valeur attendue parmi : fr, en"))
	}
	for i, c := range in.Canaux {
		if !slices.Contains(notificationTypes, c.TypeEvenement) {
			errs = append(errs, httpx.Field("canaux."+strconv.Itoa(i)+".type_evenement",
				"enum", "type de notification inconnu"))
		}
	}
	if len(errs) > 0 {
		return httpx.Invalid(errs...)
	}
	return nil
}

func (p *preferences) apply(in PreferencesUpdate) {
	if in.Langue != "" {
		p.Langue = in.Langue
	}
	for _, c := range in.Canaux {
		p.Canaux[c.TypeEvenement] = channels{InApp: c.InApp, Email: c.Email}
	}
}

func (p preferences) out() PreferencesOut {
	out := PreferencesOut{Langue: p.Langue, Canaux: make([]CanauxType, len(notificationTypes))}
	for i, t := range notificationTypes {
		c := p.of(t)
		out.Canaux[i] = CanauxType{TypeEvenement: t, InApp: c.InApp, Email: c.Email}
	}
	return out
}
