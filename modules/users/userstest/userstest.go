// Package userstest creates users and their access tokens in tests that run
// the real app (see core/app/apptest), so every test goes through the real
// guard with real tokens.
package userstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/app/apptest"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/auth"
)

// User is a created test user.
type User struct {
	ID       int64
	Email    string
	Role     coreauth.Role
	ClientID int64
	// Token is a valid access token for the user.
	Token string
}

// Create inserts an active user with role (and clientID for role client)
// and returns it with a fresh access token. The user cannot sign in with a
// password: tests of sign-in create their own accounts through the API.
func Create(t testing.TB, s *apptest.Server, role coreauth.Role, clientID int64) User {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	email := string(role) + "-" + hex.EncodeToString(b[:]) + "@example.com"
	now := time.Now().UTC()
	values := map[string]any{
		"email": email, "email_normalise": email, "nom": "Test", "prenom": string(role),
		"role": string(role), "actif": true, "password_hash": "!",
		"date_creation": now, "date_modification": now, "version": 1,
	}
	if clientID != 0 {
		values["client_id"] = clientID
	}
	var id int64
	_, err := s.App.DB.NewInsert().Model(&values).TableExpr("users").
		Returning("id").Exec(context.Background(), &id)
	if err != nil {
		t.Fatalf("create %s user: %v", role, err)
	}
	u := User{ID: id, Email: email, Role: role, ClientID: clientID}
	u.Token = Token(t, s, u)
	return u
}

// Token issues a fresh access token for u.
func Token(t testing.TB, s *apptest.Server, u User) string {
	t.Helper()
	tokens, err := module.Service[*coreauth.Tokens](s.App.Services, auth.TokensService)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := tokens.Issue(coreauth.Principal{UserID: u.ID, Role: u.Role,
		ClientID: u.ClientID})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}
