package httpx

import (
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/uptrace/bunrouter"
)

// Guard authenticates the request of a protected operation and checks its
// permission. It returns the request to continue with (carrying the caller
// in its context) or an error such as a 401 or 403. The kernel installs the
// guard of the auth layer; with none installed every protected operation
// answers 401.
type Guard func(req bunrouter.Request, op *Operation) (bunrouter.Request, error)

// Route is a plain route outside the API, such as /healthz or /docs.
// A path ending in "/*" also matches everything below it.
type Route struct {
	Method  string
	Path    string
	Handler http.Handler
}

// Options configure NewHandler.
type Options struct {
	Logger       *slog.Logger
	Guard        Guard
	MaxBodyBytes int64
	CORS         CORS
	Routes       []Route
}

// NewHandler builds the HTTP handler serving every operation of api and the
// extra routes, wrapped in the middleware stack: request id, access log,
// panic recovery, CORS, body size limit, then the router with its error
// middleware.
func NewHandler(api *API, opts Options) (http.Handler, error) {
	if err := api.Check(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}

	router := bunrouter.New(
		bunrouter.Use(errorMiddleware),
		bunrouter.WithNotFoundHandler(func(w http.ResponseWriter, r bunrouter.Request) error {
			return NewError(http.StatusNotFound, "Aucune route ne correspond à "+r.URL.Path+".")
		}),
		bunrouter.WithMethodNotAllowedHandler(methodNotAllowed),
	)
	for _, op := range api.Operations() {
		if err := addOperation(router, op, opts.Guard); err != nil {
			return nil, err
		}
	}
	for _, rt := range opts.Routes {
		if err := addRoute(router, rt); err != nil {
			return nil, err
		}
	}

	var h http.Handler = router
	h = withBodyLimit(opts.MaxBodyBytes, h)
	h = withCORS(opts.CORS, h)
	h = withRecover(h)
	h = withRequest(log, h)
	return h, nil
}

func methodNotAllowed(w http.ResponseWriter, r bunrouter.Request) error {
	return NewError(http.StatusMethodNotAllowed,
		"La méthode "+r.Method+" n'est pas permise sur "+r.URL.Path+".")
}

// errorMiddleware writes every error a handler returns as a problem body.
func errorMiddleware(next bunrouter.HandlerFunc) bunrouter.HandlerFunc {
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		if err := next(w, req); err != nil {
			WriteError(w, req.Request, err)
		}
		return nil
	}
}

// addOperation registers op under BasePath, in both slash forms for
// collection paths, and turns bunrouter's panic on a duplicate into an error
// naming the module.
func addOperation(router *bunrouter.Router, op *Operation, guard Guard) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("module %q: route %s %s: %v", op.Module, op.Method, op.Path, v)
		}
	}()
	h := wrapOperation(op, guard)
	path := RouterPath(op.FullPath())
	router.Handle(op.Method, path, h)
	if alt, ok := otherSlashForm(path); ok {
		router.Handle(op.Method, alt, h)
	}
	return nil
}

func addRoute(router *bunrouter.Router, rt Route) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("route %s %s: %v", rt.Method, rt.Path, v)
		}
	}()
	h := bunrouter.HTTPHandler(rt.Handler)
	if prefix, ok := strings.CutSuffix(rt.Path, "/*"); ok {
		router.Handle(rt.Method, prefix, h)
		router.Handle(rt.Method, prefix+"/*path", h)
		return nil
	}
	router.Handle(rt.Method, rt.Path, h)
	return nil
}

// otherSlashForm returns "/x" for "/x/": the contract's collection paths end
// with a slash and clients often omit it. Only collections get both forms.
func otherSlashForm(path string) (string, bool) {
	if len(path) > 1 && strings.HasSuffix(path, "/") {
		return strings.TrimSuffix(path, "/"), true
	}
	return "", false
}

// wrapOperation applies what every operation shares: authentication and
// permission for protected ones, then the media type of the body.
func wrapOperation(op *Operation, guard Guard) HandlerFunc {
	consumes := op.Consumes
	if len(consumes) == 0 {
		consumes = []string{"application/json"}
	}
	checkBody := op.HasBody()
	return func(w http.ResponseWriter, req bunrouter.Request) error {
		if !op.Public {
			if guard == nil {
				return Unauthorized("Authentification requise.")
			}
			var err error
			if req, err = guard(req, op); err != nil {
				return err
			}
		}
		if checkBody && hasBody(req.Request) && !acceptsMediaType(req.Request, consumes) {
			return NewError(http.StatusUnsupportedMediaType,
				"Content-Type attendu : "+strings.Join(consumes, " ou ")+".")
		}
		return op.Handler(w, req)
	}
}

func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || (r.ContentLength < 0 && r.Body != nil && r.Body != http.NoBody)
}

func acceptsMediaType(r *http.Request, consumes []string) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	for _, c := range consumes {
		if mt == c {
			return true
		}
	}
	return false
}

// GuardService is the service name under which the authentication module
// publishes its Guard for the kernel to install.
const GuardService = "httpx.guard"
