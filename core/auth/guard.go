package auth

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/httpx"
)

// UserState is what the guard needs to know about a token's user right now:
// a token outlives a deactivation or a role change, the user's row does not.
type UserState struct {
	Active   bool
	Role     Role
	ClientID int64
}

// StateLoader reads a user's current state; the users module provides it.
// It returns found=false for a user that no longer exists.
type StateLoader func(ctx context.Context, userID int64) (state UserState, found bool, err error)

// StateCache keeps users' states for a short time so that the token check,
// which runs on every request, needs no query in the common case. A change
// made by this process is seen at once (Forget).
//
// Limitation: a change made by another process sharing the database (a
// deactivation, a role change) is seen here only when the entry expires,
// up to the TTL later. Entries are replaced when stale but never removed, so
// the cache holds one small entry per user who has called since start.
type StateCache struct {
	load StateLoader
	ttl  time.Duration
	mu   sync.RWMutex
	m    map[int64]cachedState
	// gen counts Forget calls. A load that started before a Forget may have
	// read the old row; it must not put that row back in the cache.
	gen uint64
}

type cachedState struct {
	state   UserState
	found   bool
	expires time.Time
}

// NewStateCache returns a cache in front of load.
func NewStateCache(load StateLoader, ttl time.Duration) *StateCache {
	return &StateCache{load: load, ttl: ttl, m: map[int64]cachedState{}}
}

// Get returns the state of userID, loading it when absent or stale.
func (c *StateCache) Get(ctx context.Context, userID int64) (UserState, bool, error) {
	now := time.Now()
	c.mu.RLock()
	e, ok := c.m[userID]
	gen := c.gen
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.state, e.found, nil
	}
	state, found, err := c.load(ctx, userID)
	if err != nil {
		return UserState{}, false, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.m[userID] = cachedState{state: state, found: found, expires: now.Add(c.ttl)}
	}
	c.mu.Unlock()
	return state, found, nil
}

// Forget drops userID's cached state. Call it after the transaction that
// changed the user has committed, so that no later load can read the old
// row.
func (c *StateCache) Forget(userID int64) {
	c.mu.Lock()
	delete(c.m, userID)
	c.gen++
	c.mu.Unlock()
}

// Guard returns the httpx.Guard that authenticates bearer tokens and checks
// the operation's permission. Anonymous or refused tokens answer 401 with a
// Bearer challenge; a missing permission answers 403 naming it.
func Guard(tokens *Tokens, grants *Grants, states *StateCache) httpx.Guard {
	return func(req bunrouter.Request, op *httpx.Operation) (bunrouter.Request, error) {
		p, err := Authenticate(req.Request, tokens, states)
		if err != nil {
			return req, err
		}
		if !grants.Allows(p.Role, op.Permission) {
			return req, httpx.Forbidden(op.Permission)
		}
		return req.WithContext(WithPrincipal(req.Context(), p)), nil
	}
}

// Authenticate returns the principal of r's bearer token, checked against
// the user's current state, or a 401 error.
func Authenticate(r *http.Request, tokens *Tokens, states *StateCache) (*Principal, error) {
	raw, ok := BearerToken(r)
	if !ok {
		return nil, httpx.Unauthorized("Authentification requise.")
	}
	p, err := tokens.Verify(raw)
	if err != nil {
		return nil, refused(r, err)
	}
	state, found, err := states.Get(r.Context(), p.UserID)
	if err != nil {
		return nil, err
	}
	if !found || !state.Active {
		return nil, refused(r, errors.New("user is missing or deactivated"))
	}
	// The current role and client win over those frozen in the token.
	p.Role, p.ClientID = state.Role, state.ClientID
	return p, nil
}

// BearerToken returns the token of an "Authorization: Bearer …" header.
func BearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func refused(r *http.Request, cause error) error {
	httpx.Logger(r.Context()).DebugContext(r.Context(), "access token refused",
		slog.String("request_id", httpx.RequestID(r.Context())), slog.Any("reason", cause))
	e := httpx.Unauthorized("Jeton d'accès invalide ou expiré.")
	e.Header.Set("WWW-Authenticate", `Bearer realm="erp", error="invalid_token"`)
	return e
}
