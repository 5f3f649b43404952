package auth

import (
	"mime"
	"net/http"
	"strings"

	"github.com/uptrace/bunrouter"

	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

const formType = "application/x-www-form-urlencoded"

// Routes declares the module's operations.
func (m *Module) Routes(api *httpx.API) {
	both := []string{formType, "application/json"}
	for _, op := range []httpx.Operation{
		{ID: "login_for_access_token", Method: http.MethodPost, Path: "/auth/token",
			Tag: "auth", Summary: "Obtenir un jeton d'accès",
			Description: "Identifiants en formulaire (email, password) ou en JSON. Trop " +
				"d'échecs pour une adresse ou un client donnent 429 avec Retry-After.",
			Public: true, Request: new(TokenRequest), Consumes: both, Response: new(Token),
			ResponseDescription: "Jetons d'accès et de rafraîchissement",
			Errors:              []int{http.StatusUnauthorized, http.StatusTooManyRequests},
			Handler:             m.handleToken},
		{ID: "refresh_access_token", Method: http.MethodPost, Path: "/auth/refresh",
			Tag: "auth", Summary: "Renouveler le jeton d'accès",
			Description: "Le jeton de rafraîchissement est à usage unique ; en présenter " +
				"un déjà utilisé révoque toute la session.",
			Public: true, Request: new(RefreshRequest), Consumes: both, Response: new(Token),
			Errors: []int{http.StatusUnauthorized}, Handler: m.handleRefresh},
		{ID: "logout", Method: http.MethodPost, Path: "/auth/logout", Tag: "auth",
			Summary:     "Se déconnecter",
			Description: "Révoque la session du jeton de rafraîchissement donné, ou toutes.",
			Request:     new(LogoutRequest), Status: http.StatusNoContent,
			Handler: m.handleLogout},
		{ID: "read_current_user", Method: http.MethodGet, Path: "/auth/me", Tag: "auth",
			Summary: "Consulter l'utilisateur connecté", Response: new(CurrentUserOut),
			Handler: m.handleMe},
	} {
		api.Handle(op)
	}
}

func (m *Module) handleToken(w http.ResponseWriter, req bunrouter.Request) error {
	var in TokenRequest
	if err := decodeCredentials(req.Request, &in); err != nil {
		return err
	}
	t, err := m.signIn(req.Context(), in.Email, in.Password, m.clientIP.of(req.Request))
	if err != nil {
		return err
	}
	return writeToken(w, t)
}

// decodeCredentials reads a form or a JSON sign-in and names each missing
// field. A form may call the address username, as OAuth2 password-flow
// clients (Swagger UI among them) do.
func decodeCredentials(r *http.Request, in *TokenRequest) error {
	if isForm(r) {
		if err := r.ParseForm(); err != nil {
			return httpx.Invalid(httpx.FieldError{Loc: []string{"body"},
				Msg: "formulaire illisible", Type: "value_error"})
		}
		in.Email, in.Password = r.PostForm.Get("email"), r.PostForm.Get("password")
		if in.Email == "" {
			in.Email = r.PostForm.Get("username")
		}
	} else if err := httpx.DecodeJSON(r, in); err != nil {
		return err
	}
	var missing []httpx.FieldError
	if strings.TrimSpace(in.Email) == "" {
		missing = append(missing, httpx.Field("email", "missing", "champ obligatoire"))
	}
	if in.Password == "" {
		missing = append(missing, httpx.Field("password", "missing", "champ obligatoire"))
	}
	if len(missing) > 0 {
		return httpx.Invalid(missing...)
	}
	return nil
}

func isForm(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == formType
}

func (m *Module) handleRefresh(w http.ResponseWriter, req bunrouter.Request) error {
	var in RefreshRequest
	if isForm(req.Request) {
		if err := req.ParseForm(); err == nil {
			in.RefreshToken = req.PostForm.Get("refresh_token")
		}
	} else if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	if in.RefreshToken == "" {
		return httpx.Invalid(httpx.Field("refresh_token", "missing", "champ obligatoire"))
	}
	t, err := m.refresh(req.Context(), in.RefreshToken, m.clientIP.of(req.Request))
	if err != nil {
		return err
	}
	return writeToken(w, t)
}

// writeToken answers tokens, which no cache may keep.
func writeToken(w http.ResponseWriter, t *Token) error {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	return httpx.WriteJSON(w, http.StatusOK, t)
}

func (m *Module) handleLogout(w http.ResponseWriter, req bunrouter.Request) error {
	var in LogoutRequest
	if req.ContentLength != 0 {
		if err := httpx.DecodeJSON(req.Request, &in); err != nil {
			return err
		}
	}
	p := coreauth.FromContext(req.Context())
	if err := m.logout(req.Context(), p, in.RefreshToken, m.clientIP.of(req.Request)); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) handleMe(w http.ResponseWriter, req bunrouter.Request) error {
	p := coreauth.FromContext(req.Context())
	acc, err := m.accounts.AccountByID(req.Context(), m.db, p.UserID)
	if err != nil {
		return err
	}
	out := CurrentUserOut{ID: acc.ID, Email: acc.Email, Nom: acc.Nom, Prenom: acc.Prenom,
		Role: string(p.Role), Permissions: m.grants.Of(p.Role)}
	if p.ClientID != 0 {
		out.ClientID = &p.ClientID
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}
