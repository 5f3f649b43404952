package auth

import (
	"database/sql"
	"errors"
)

// TokenRequest is a sign-in, sent as a form (as in the contract's example)
// or as JSON.
type TokenRequest struct {
	Email    string `json:"email" required:"true" example:"admin@example.com"`
	Password string `json:"password" required:"true" example:"admin123"`
}

// Token is the answer to a sign-in or a refresh.
type Token struct {
	AccessToken string `json:"access_token" required:"true" example:"eyJ..."`
	TokenType   string `json:"token_type" required:"true" example:"bearer"`
	// ExpiresIn is the access token's lifetime in seconds.
	ExpiresIn    int    `json:"expires_in" required:"true" example:"900" description:"En secondes"`
	RefreshToken string `json:"refresh_token" required:"true" description:"À usage unique"`
}

// RefreshRequest exchanges a refresh token for a new pair of tokens.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token" required:"true"`
}

// LogoutRequest names the session to end. Without a refresh token, every
// session of the caller ends.
type LogoutRequest struct {
	RefreshToken string `json:"refresh_token,omitempty" description:"Toutes si absent"`
}

// CurrentUserOut is the signed-in user with the permissions of their role.
type CurrentUserOut struct {
	ID          int64    `json:"id" required:"true" example:"1"`
	Email       string   `json:"email" required:"true" example:"admin@example.com"`
	Nom         string   `json:"nom" required:"true"`
	Prenom      string   `json:"prenom" required:"true"`
	Role        string   `json:"role" required:"true" enum:"admin,responsable,technicien,client"`
	ClientID    *int64   `json:"client_id" required:"true" nullable:"true"`
	Permissions []string `json:"permissions" required:"true" example:"[\"users:read\"]"`
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
