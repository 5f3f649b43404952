package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/uptrace/bun"
)

// Names of the services through which the users and authentication modules
// reach each other without importing each other's packages.
const (
	// AccountsService is the Accounts the users module publishes.
	AccountsService = "users.accounts"
	// PasswordsService is the *Hasher the users module publishes, shared so
	// that one limit on concurrent hashes covers the whole process.
	PasswordsService = "users.passwords"
	// StatesService is the *StateCache the authentication module publishes.
	StatesService = "auth.states"
	// SessionsService is the Sessions the authentication module publishes.
	SessionsService = "auth.sessions"
)

// ErrNoAccount is returned by Accounts when no user matches.
var ErrNoAccount = errors.New("no such account")

// Account is what sign-in needs to know about a user.
type Account struct {
	ID           int64
	Email        string
	Nom          string
	Prenom       string
	Role         Role
	ClientID     int64
	Active       bool
	PasswordHash string
}

// Principal returns the caller an access token for a is issued to.
func (a Account) Principal() Principal {
	return Principal{UserID: a.ID, Role: a.Role, ClientID: a.ClientID}
}

// Accounts reads and stamps user accounts for sign-in. The users module
// implements it; db is the caller's transaction or database.
type Accounts interface {
	// AccountByEmail finds an account by e-mail address, compared without
	// regard to case. It returns ErrNoAccount when there is none.
	AccountByEmail(ctx context.Context, db bun.IDB, email string) (Account, error)
	// AccountByID finds an account by id, or returns ErrNoAccount.
	AccountByID(ctx context.Context, db bun.IDB, id int64) (Account, error)
	// MarkSignedIn records a successful sign-in at at.
	MarkSignedIn(ctx context.Context, db bun.IDB, id int64, at time.Time) error
}

// Sessions revokes a user's refresh tokens. The authentication module
// implements it; the users module calls it, in the transaction of the
// change, when a password, a role or the active flag changes.
type Sessions interface {
	RevokeUser(ctx context.Context, db bun.IDB, userID int64) error
}

// NormaliseEmail is the form under which e-mail addresses are compared and
// stored for uniqueness: trimmed and lower-cased.
func NormaliseEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}
