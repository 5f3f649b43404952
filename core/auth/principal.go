// Package auth is the security every module relies on: who the caller is
// (Principal), what each role may do (the permission table), access tokens
// (JWT, HS256) and the guard that checks both on every protected operation.
package auth

import "context"

// Role is a user's role.
type Role string

// The four roles of the product.
const (
	RoleAdmin       Role = "admin"
	RoleResponsable Role = "responsable"
	RoleTechnicien  Role = "technicien"
	RoleClient      Role = "client"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleResponsable, RoleTechnicien, RoleClient}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	switch r {
	case RoleAdmin, RoleResponsable, RoleTechnicien, RoleClient:
		return true
	}
	return false
}

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID int64
	Role   Role
	// ClientID is the client organisation of a user with role client, zero
	// for everyone else.
	ClientID int64
	// TokenID is the access token's jti claim.
	TokenID string
}

// ClientScope returns the only client organisation whose data the caller
// may see, or zero when the caller is not restricted to one. Stores filter
// every read with it, so scoping never depends on a handler remembering to.
func (p *Principal) ClientScope() int64 {
	if p == nil || p.Role != RoleClient {
		return 0
	}
	return p.ClientID
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller, or nil for an anonymous request.
func FromContext(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}
