package app

import (
	_ "embed"
	"net/http"
	"net/url"
	"strings"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/jobs"
)

// Admin pages. River's UI lives under jobs.UIPath; a browser signs in at
// AdminLoginPath, which turns an access token into a cookie, because a
// browser cannot add an Authorization header to the pages it opens.
const (
	AdminLoginPath  = "/admin/login"
	AdminLogoutPath = "/admin/logout"
	// AdminCookie holds the administrator's access token, sent only to
	// /admin paths, unreadable by scripts and never sent cross-site.
	AdminCookie = "erp_admin"
)

//go:embed jobsadmin_login.html
var adminLoginPage []byte

// jobsAdminOp is the operation the guard checks for every admin request: a
// valid token of an active user whose role has jobs:admin.
var jobsAdminOp = &httpx.Operation{ID: "jobs_admin", Module: "jobs",
	Permission: auth.JobsAdmin}

// adminRoutes mounts River's UI behind the guard, with the sign-in and
// sign-out pages. It returns nothing when jobs.ui is off.
func (a *App) adminRoutes(guard httpx.Guard) ([]httpx.Route, error) {
	if !a.Config.Jobs.UI {
		return nil, nil
	}
	ui, err := a.Jobs.UI()
	if err != nil {
		return nil, err
	}
	protected := a.adminGuard(guard, ui)
	var routes []httpx.Route
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost,
		http.MethodPut, http.MethodPatch, http.MethodDelete} {
		routes = append(routes, httpx.Route{Method: m, Path: jobs.UIPath + "/*",
			Handler: protected})
	}
	return append(routes,
		httpx.Route{Method: http.MethodGet, Path: AdminLoginPath,
			Handler: http.HandlerFunc(loginPage)},
		httpx.Route{Method: http.MethodPost, Path: AdminLoginPath,
			Handler: a.adminGuard(guard, http.HandlerFunc(a.setAdminCookie))},
		httpx.Route{Method: http.MethodPost, Path: AdminLogoutPath,
			Handler: http.HandlerFunc(clearAdminCookie)},
	), nil
}

// adminGuard lets a request through to next only when it carries a token
// with jobs:admin, in the Authorization header or in the admin cookie. A
// browser asking for a page without one is sent to the sign-in page.
func (a *App) adminGuard(guard httpx.Guard, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r, fromCookie := withCookieToken(r)
		if fromCookie && !sameOrigin(r) {
			httpx.WriteError(w, r, httpx.NewError(http.StatusForbidden,
				"Requête d'une autre origine refusée."))
			return
		}
		if guard == nil {
			httpx.WriteError(w, r, httpx.Unauthorized("Authentification requise."))
			return
		}
		req, err := guard(bunrouter.NewRequest(r), jobsAdminOp)
		if err != nil {
			denyAdmin(w, r, err)
			return
		}
		next.ServeHTTP(w, req.Request)
	})
}

// withCookieToken copies the admin cookie into an Authorization header when
// the request has none, and says whether it did.
func withCookieToken(r *http.Request) (*http.Request, bool) {
	if r.Header.Get("Authorization") != "" {
		return r, false
	}
	c, err := r.Cookie(AdminCookie)
	if err != nil || c.Value == "" {
		return r, false
	}
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+c.Value)
	return r, true
}

// sameOrigin refuses cookie-authenticated writes sent from another site's
// page. SameSite=Strict already keeps the cookie off those; this is the
// second lock. Reads and requests without an Origin header pass.
func sameOrigin(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

// denyAdmin answers a refused admin request: a redirect to the sign-in page
// for a browser opening a page without a valid token, the problem body
// otherwise.
func denyAdmin(w http.ResponseWriter, r *http.Request, err error) {
	e := httpx.AsError(err)
	if e.Status == http.StatusUnauthorized && r.Method == http.MethodGet &&
		acceptsHTML(r) {
		http.Redirect(w, r, AdminLoginPath, http.StatusSeeOther)
		return
	}
	httpx.WriteError(w, r, err)
}

func acceptsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// loginPage serves the sign-in form: it gets a token from
// /api/v1/auth/token and posts it back here to receive the cookie.
func loginPage(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy",
		"default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'")
	_, _ = w.Write(adminLoginPage)
}

// setAdminCookie runs behind the guard: the bearer token just checked
// becomes the cookie, for no longer than the token itself lives.
func (a *App) setAdminCookie(w http.ResponseWriter, r *http.Request) {
	token, _ := auth.BearerToken(r)
	http.SetCookie(w, &http.Cookie{
		Name: AdminCookie, Value: token, Path: "/admin",
		MaxAge:   int(a.Config.Auth.AccessTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || a.Config.IsProd(),
	})
	w.Header().Set("Location", jobs.UIPath+"/")
	w.WriteHeader(http.StatusNoContent)
}

func clearAdminCookie(w http.ResponseWriter, _ *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: AdminCookie, Value: "", Path: "/admin",
		MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
}
