// Package httpx holds the HTTP plumbing every module shares: the operation
// type modules declare routes with, the problem-details error body, JSON
// decoding with field-level validation errors, paging headers and the
// middleware stack.
package httpx

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
)

// ProblemContentType is the media type of every error body (RFC 9457).
const ProblemContentType = "application/problem+json"

// Problem is the error body of every non-2xx answer, following RFC 9457.
// For 400 answers it is the contract's ValidationError, whose errors list
// names each bad field.
type Problem struct {
	Type      string       `json:"type" example:"about:blank"`
	Title     string       `json:"title" example:"Bad Request"`
	Status    int          `json:"status" example:"400"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	// Extra carries problem-specific members, such as the current statut and
	// the allowed actions of a refused transition. They are merged into the
	// top level of the body.
	Extra map[string]any `json:"-"`
}

// ValidationError is the contract's name for the body of a 400 answer. It has
// the same members as Problem, with errors always present.
type ValidationError struct {
	Type      string       `json:"type" example:"about:blank"`
	Title     string       `json:"title" example:"Bad Request"`
	Status    int          `json:"status" example:"400"`
	Detail    string       `json:"detail,omitempty" example:"La requête contient des champs invalides."`
	RequestID string       `json:"request_id,omitempty"`
	Errors    []FieldError `json:"errors" required:"true"`
}

// FieldError names one bad input: where it is (loc, e.g. ["body", "titre"]),
// what is wrong in words (msg) and a stable machine-readable kind (type).
type FieldError struct {
	Loc  []string `json:"loc" required:"true" example:"[\"body\",\"titre\"]"`
	Msg  string   `json:"msg" required:"true" example:"doit contenir au moins 5 caractères"`
	Type string   `json:"type" required:"true" example:"string_too_short"`
}

// MarshalJSON writes the standard members and then the Extra ones.
func (p Problem) MarshalJSON() ([]byte, error) {
	type plain Problem
	b, err := json.Marshal(plain(p))
	if err != nil || len(p.Extra) == 0 {
		return b, err
	}
	extra, err := json.Marshal(p.Extra)
	if err != nil {
		return nil, fmt.Errorf("encode problem extra members: %w", err)
	}
	// Both are JSON objects: splice "{...}" and "{...}" into one object.
	out := append(b[:len(b)-1:len(b)-1], ',')
	return append(out, extra[1:]...), nil
}

// Error is an error that knows its HTTP answer. Handlers return it (or wrap
// it); the error middleware writes it as a problem body.
type Error struct {
	Status int
	Detail string
	Fields []FieldError
	Extra  map[string]any
	// Header holds headers the answer needs, such as WWW-Authenticate or
	// Retry-After.
	Header http.Header
	// Cause is the underlying error, logged but never shown to clients.
	Cause error
}

func (e *Error) Error() string {
	msg := http.StatusText(e.Status)
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Cause != nil {
		msg += ": " + e.Cause.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// NewError returns an error answering status with detail.
func NewError(status int, detail string) *Error {
	return &Error{Status: status, Detail: detail}
}

// Invalid returns a 400 naming each bad field.
func Invalid(fields ...FieldError) *Error {
	return &Error{
		Status: http.StatusBadRequest,
		Detail: "La requête contient des champs invalides.",
		Fields: fields,
	}
}

// Field builds a FieldError for a body field; loc is ["body", name].
func Field(name, kind, msg string) FieldError {
	return FieldError{Loc: []string{"body", name}, Msg: msg, Type: kind}
}

// QueryField builds a FieldError for a query parameter.
func QueryField(name, kind, msg string) FieldError {
	return FieldError{Loc: []string{"query", name}, Msg: msg, Type: kind}
}

// Unauthorized returns a 401 carrying the Bearer challenge.
func Unauthorized(detail string) *Error {
	h := http.Header{}
	h.Set("WWW-Authenticate", `Bearer realm="erp"`)
	return &Error{Status: http.StatusUnauthorized, Detail: detail, Header: h}
}

// Forbidden returns a 403 naming the missing permission.
func Forbidden(permission string) *Error {
	return &Error{
		Status: http.StatusForbidden,
		Detail: "permission manquante : " + permission,
		Extra:  map[string]any{"permission": permission},
	}
}

// ErrNotFound is the sentinel stores return for a row that does not exist or
// that the caller may not see; both answer 404 so nothing leaks.
var ErrNotFound = errors.New("resource not found")

// NotFound returns a 404.
func NotFound() *Error {
	return &Error{Status: http.StatusNotFound, Detail: "Ressource introuvable."}
}

// Conflict returns a 409 with detail.
func Conflict(detail string) *Error {
	return &Error{Status: http.StatusConflict, Detail: detail}
}

// TooManyRequests returns a 429 telling the client when to retry.
func TooManyRequests(retryAfterSeconds int) *Error {
	h := http.Header{}
	h.Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	return &Error{
		Status: http.StatusTooManyRequests,
		Detail: "Trop de tentatives, réessayez plus tard.",
		Header: h,
	}
}

// AsError maps any error to an *Error: typed errors keep their answer,
// sentinels map to theirs, and anything else is a 500 whose cause is kept
// for the log only.
func AsError(err error) *Error {
	var e *Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.Is(err, ErrNotFound), errors.Is(err, sql.ErrNoRows):
		return NotFound()
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable,
			Detail: "Le serveur n'a pas pu répondre à temps.", Cause: err}
	default:
		return &Error{Status: http.StatusInternalServerError,
			Detail: "Erreur interne du serveur.", Cause: err}
	}
}

// WriteError writes err as a problem body and logs server-side failures.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := AsError(err)
	rid := RequestID(r.Context())
	if e.Status >= 500 {
		Logger(r.Context()).ErrorContext(r.Context(), "request failed",
			slog.String("request_id", rid), slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.Any("error", err))
	}
	p := Problem{
		Type:      "about:blank",
		Title:     http.StatusText(e.Status),
		Status:    e.Status,
		Detail:    e.Detail,
		Instance:  r.URL.Path,
		RequestID: rid,
		Errors:    e.Fields,
		Extra:     e.Extra,
	}
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	h.Set("Content-Type", ProblemContentType)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(p)
}
