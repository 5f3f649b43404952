// Package userstest creates users and their access tokens in tests that run
// the real app (see core/app/apptest), so every test goes through the real
// guard with real tokens.
package userstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
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

// Tokens is the answer of a sign-in.
type Tokens struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// SignIn posts a form sign-in, as the contract's example does, and returns
// the raw answer.
func SignIn(t testing.TB, s *apptest.Server, email, password string) *apptest.Response {
	t.Helper()
	form := url.Values{"email": {email}, "password": {password}}
	return s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/token",
		Body:   form.Encode(),
		Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
}

// MustSignIn signs in and fails the test unless it succeeds.
func MustSignIn(t testing.TB, s *apptest.Server, email, password string) Tokens {
	t.Helper()
	r := SignIn(t, s, email, password)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("sign-in of %s = %d %s", email, r.StatusCode, r.Body)
	}
	var tok Tokens
	r.JSON(t, &tok)
	return tok
}

// CreateWithPassword creates an active user through the API, as admin,
// so that it can sign in with password.
func CreateWithPassword(t testing.TB, s *apptest.Server, admin string, role coreauth.Role,
	clientID int64, password string) User {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	email := string(role) + "-" + hex.EncodeToString(b[:]) + "@example.com"
	body := map[string]any{"email": email, "nom": "Test", "prenom": string(role),
		"role": string(role), "password": password}
	if clientID != 0 {
		body["client_id"] = clientID
	}
	r := s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/users/",
		Body: body, Token: admin})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create %s user = %d %s", role, r.StatusCode, r.Body)
	}
	var out struct {
		ID int64 `json:"id"`
	}
	r.JSON(t, &out)
	return User{ID: out.ID, Email: email, Role: role, ClientID: clientID}
}
