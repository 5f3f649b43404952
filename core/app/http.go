package app

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/erp-interventions/erp/core/docs"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/openapi"
)

// Spec returns the OpenAPI document of the enabled modules.
func (a *App) Spec() ([]byte, error) {
	info := openapi.DefaultInfo
	return openapi.Build(a.API().Operations(), info)
}

// Handler returns the whole HTTP surface: the API of every enabled module,
// /openapi.json, /docs, /redoc, /healthz, /readyz and, for administrators,
// River's UI under /admin/jobs.
func (a *App) Handler() (http.Handler, error) {
	spec, err := a.Spec()
	if err != nil {
		return nil, err
	}
	var guard httpx.Guard
	if v, ok := a.Services.Lookup(GuardService); ok {
		guard, _ = v.(httpx.Guard)
	}

	title := openapi.DefaultInfo.Title
	routes := []httpx.Route{
		{Method: http.MethodGet, Path: "/healthz", Handler: http.HandlerFunc(healthz)},
		{Method: http.MethodGet, Path: "/readyz", Handler: a.readyz()},
		{Method: http.MethodGet, Path: "/openapi.json", Handler: specHandler(spec)},
		{Method: http.MethodGet, Path: "/docs/*",
			Handler: docs.SwaggerUI(title, "/openapi.json", "/docs")},
		{Method: http.MethodGet, Path: "/redoc/*",
			Handler: docs.ReDoc(title, "/openapi.json", "/redoc")},
	}
	admin, err := a.adminRoutes(guard)
	if err != nil {
		return nil, err
	}
	routes = append(routes, admin...)

	c := a.Config.CORS
	return httpx.NewHandler(a.API(), httpx.Options{
		Logger:       a.Log,
		Guard:        guard,
		MaxBodyBytes: a.Config.HTTP.MaxBodyBytes,
		CORS: httpx.CORS{
			AllowedOrigins:   c.AllowedOrigins,
			AllowedMethods:   c.AllowedMethods,
			AllowedHeaders:   c.AllowedHeaders,
			ExposedHeaders:   c.ExposedHeaders,
			AllowCredentials: c.AllowCredentials,
			MaxAge:           c.MaxAge,
		},
		Routes: routes,
	})
}

func specHandler(spec []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(spec)
	})
}

// healthz answers as long as the process serves requests.
func healthz(w http.ResponseWriter, _ *http.Request) {
	_ = httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 when the database answers and every migration of the
// enabled modules is applied, 503 otherwise. Once the migrations are found
// current the answer is remembered: they never go back while serving.
func (a *App) readyz() http.Handler {
	var mu sync.Mutex
	migrated := false
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := a.DB.PingContext(ctx); err != nil {
			httpx.WriteError(w, r, httpx.NewError(http.StatusServiceUnavailable,
				"La base de données ne répond pas."))
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if !migrated {
			pending, err := a.Migrations().Pending(ctx)
			if err != nil || pending > 0 {
				httpx.WriteError(w, r, httpx.NewError(http.StatusServiceUnavailable,
					"Des migrations de la base de données ne sont pas appliquées "+
						"(erp migrate up)."))
				return
			}
			migrated = true
		}
		_ = httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
}
