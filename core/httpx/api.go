package httpx

import (
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/uptrace/bunrouter"
)

// BasePath is where every module's operations live.
const BasePath = "/api/v1"

// HandlerFunc is the handler signature of every operation. A returned error
// is written by the error middleware as a problem body.
type HandlerFunc = bunrouter.HandlerFunc

// Operation is one HTTP operation, declared once next to its handler. The
// router is built from Method, Path and Handler; the OpenAPI document is
// built from the same value, so the two cannot drift.
type Operation struct {
	// ID is the stable operationId, e.g. "create_intervention".
	ID string
	// Method is the HTTP method.
	Method string
	// Path is relative to BasePath and uses OpenAPI parameters:
	// "/interventions/{id}". Collection paths end with "/"; the form without
	// the slash is served too.
	Path string
	// Tag is one of the contract's ten tags.
	Tag string
	// Summary and Description are shown in the documentation, in French like
	// the contract.
	Summary     string
	Description string
	// Public operations need no bearer token. Every other operation requires
	// one, and Permission when it is set.
	Public     bool
	Permission string
	// Request is a value of the Go type describing the path, query, header
	// and body parameters (tags path, query, header, json, formData). Nil
	// when the operation takes none.
	Request any
	// Consumes lists the accepted request media types. Empty means JSON when
	// the method carries a body.
	Consumes []string
	// Response is a value of the success body's Go type, nil for no body.
	Response any
	// Status is the success status; 200 when zero.
	Status int
	// ResponseDescription describes the success answer.
	ResponseDescription string
	// ResponseHeaders is a value of a struct type whose header-tagged fields
	// document the success answer's headers.
	ResponseHeaders any
	// Errors lists the error statuses the handler can answer besides those
	// the platform adds (400 on bodies, 401/403 on protected operations).
	Errors []int
	// Handler serves the operation.
	Handler HandlerFunc

	// Module is the ID of the module that declared the operation.
	Module string
}

// SuccessStatus returns Status, or 200 when it is not set.
func (op *Operation) SuccessStatus() int {
	if op.Status == 0 {
		return http.StatusOK
	}
	return op.Status
}

// FullPath returns the operation's path under BasePath.
func (op *Operation) FullPath() string { return BasePath + op.Path }

// HasBody reports whether the operation's method carries a request body.
func (op *Operation) HasBody() bool {
	switch op.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		return true
	}
	return false
}

// API collects the operations of every enabled module. Modules receive a
// view scoped to their own ID, so each operation remembers who declared it.
type API struct {
	module string
	ops    *[]*Operation
}

// NewAPI returns an empty collection.
func NewAPI() *API {
	return &API{ops: new([]*Operation)}
}

// ForModule returns a view of the collection that tags operations with id.
func (a *API) ForModule(id string) *API {
	return &API{module: id, ops: a.ops}
}

// Handle declares an operation.
func (a *API) Handle(op Operation) {
	op.Module = a.module
	*a.ops = append(*a.ops, &op)
}

// Operations returns the declared operations in a stable order: by path,
// then by method.
func (a *API) Operations() []*Operation {
	ops := append([]*Operation(nil), *a.ops...)
	sort.SliceStable(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

// Check reports operations that are not well formed or that clash, naming
// the module that declared each.
func (a *API) Check() error {
	seenID := map[string]*Operation{}
	seenRoute := map[string]*Operation{}
	var problems []string
	for _, op := range a.Operations() {
		if op.ID == "" || op.Handler == nil || op.Tag == "" || !strings.HasPrefix(op.Path, "/") {
			problems = append(problems, fmt.Sprintf(
				"module %q: operation %s %s needs an ID, a tag, a handler and a path "+
					"starting with /", op.Module, op.Method, op.Path))
		}
		if prev, dup := seenID[op.ID]; dup {
			problems = append(problems, fmt.Sprintf("operationId %q is declared by "+
				"module %q and module %q", op.ID, prev.Module, op.Module))
		}
		seenID[op.ID] = op
		key := op.Method + " " + routeKey(op.Path)
		if prev, dup := seenRoute[key]; dup {
			problems = append(problems, fmt.Sprintf("route %s %s is declared by module %q "+
				"and module %q", op.Method, op.Path, prev.Module, op.Module))
		}
		seenRoute[key] = op
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return nil
}

// routeKey normalises a path for clash detection: parameter names do not
// matter and the trailing slash is optional.
func routeKey(path string) string {
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			parts[i] = "{}"
		}
	}
	return strings.Join(parts, "/")
}

// RouterPath converts an OpenAPI path ("/x/{id}") to bunrouter's form
// ("/x/:id"). It is the only place that knows both syntaxes.
func RouterPath(path string) string {
	if !strings.Contains(path, "{") {
		return path
	}
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			parts[i] = ":" + p[1:len(p)-1]
		}
	}
	return strings.Join(parts, "/")
}
