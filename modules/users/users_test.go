package users_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

// bundle is a started app with an administrator's token, recording every
// answer so that a test can check that none ever shows a password hash.
type bundle struct {
	s       *apptest.Server
	admin   string
	answers []*apptest.Response
}

func setup(t *testing.T, target dbtest.Target, overrides map[string]any) *bundle {
	t.Helper()
	s := apptest.Start(t, apptest.Options{Enabled: []string{"users", "auth"},
		DatabaseURL: target.URL, Overrides: overrides})
	b := &bundle{s: s, admin: userstest.Create(t, s, coreauth.RoleAdmin, 0).Token}
	t.Cleanup(func() { b.checkNoHashes(t) })
	return b
}

func (b *bundle) do(t *testing.T, method, path, token string, body any) *apptest.Response {
	t.Helper()
	r := b.s.Do(t, apptest.Request{Method: method, Path: "/api/v1" + path, Token: token,
		Body: body})
	b.answers = append(b.answers, r)
	return r
}

func (b *bundle) checkNoHashes(t *testing.T) {
	for _, r := range b.answers {
		body := string(r.Body)
		if strings.Contains(body, "argon2") || strings.Contains(body, "password_hash") {
			t.Errorf("%s %s shows a password hash: %s", r.Request.Method,
				r.Request.URL.Path, body)
		}
	}
}

func want(t *testing.T, r *apptest.Response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s = %d %s, want %d", r.Request.Method, r.Request.URL.Path,
			r.StatusCode, r.Body, status)
	}
}

// fields returns the names of the bad fields of a 400 answer.
func fields(t *testing.T, r *apptest.Response) []string {
	t.Helper()
	var names []string
	for _, e := range r.Problem(t)["errors"].([]any) {
		loc := e.(map[string]any)["loc"].([]any)
		names = append(names, loc[len(loc)-1].(string))
	}
	return names
}

type userOut struct {
	ID       int64  `json:"id"`
	Email    string `json:"email"`
	Role     string `json:"role"`
	ClientID *int64 `json:"client_id"`
	Actif    bool   `json:"actif"`
	Version  int    `json:"version"`
}

func TestAdministratorsManageUsers(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		b := setup(t, target, nil)
		r := b.do(t, "POST", "/users/", b.admin, map[string]any{"email": "Ana@Example.com",
			"nom": "Alaoui", "prenom": "Ana", "role": "responsable", "password": "s3cret-pass"})
		want(t, r, http.StatusCreated)
		var u userOut
		r.JSON(t, &u)
		if u.Email != "Ana@Example.com" || u.Role != "responsable" || !u.Actif ||
			r.Header.Get("Location") != "/api/v1/users/"+strconv.FormatInt(u.ID, 10) {
			t.Errorf("created %s, Location %q", r.Body, r.Header.Get("Location"))
		}
		path := "/users/" + strconv.FormatInt(u.ID, 10)

		dup := b.do(t, "POST", "/users/", b.admin, map[string]any{"email": "ana@example.COM",
			"nom": "X", "prenom": "Y", "role": "technicien", "password": "s3cret-pass"})
		want(t, dup, http.StatusConflict)

		got := b.do(t, "GET", path, b.admin, nil)
		want(t, got, http.StatusOK)
		etag := got.Header.Get("ETag")
		if etag != `"1"` {
			t.Errorf("ETag = %q", etag)
		}
		r = b.s.Do(t, apptest.Request{Method: "PATCH", Path: "/api/v1" + path, Token: b.admin,
			Body:   map[string]any{"nom": "Alaoui-Benali"},
			Header: map[string]string{"If-Match": etag}})
		want(t, r, http.StatusOK)
		r = b.s.Do(t, apptest.Request{Method: "PATCH", Path: "/api/v1" + path, Token: b.admin,
			Body: map[string]any{"nom": "Stale"}, Header: map[string]string{"If-Match": etag}})
		want(t, r, http.StatusPreconditionFailed)

		list := b.do(t, "GET", "/users/?role=responsable&limit=1", b.admin, nil)
		want(t, list, http.StatusOK)
		var us []userOut
		list.JSON(t, &us)
		if len(us) != 1 || us[0].ID != u.ID || list.Header.Get("X-Total-Count") != "1" {
			t.Errorf("list = %s (total %s)", list.Body, list.Header.Get("X-Total-Count"))
		}

		want(t, b.do(t, "DELETE", path, b.admin, nil), http.StatusNoContent)
		r = b.do(t, "GET", path, b.admin, nil)
		r.JSON(t, &u)
		if u.Actif {
			t.Error("user still active after DELETE")
		}
		want(t, b.do(t, "GET", "/users/987654", b.admin, nil), http.StatusNotFound)
	})
}

func TestInvalidUsersNameEveryBadField(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		b := setup(t, target, nil)
		r := b.do(t, "POST", "/users/", b.admin, map[string]any{"email": "not-an-address",
			"nom": "", "prenom": "P", "role": "client", "password": "short"})
		want(t, r, http.StatusBadRequest)
		got := strings.Join(fields(t, r), ",")
		if got != "email,nom,password,client_id" {
			t.Errorf("bad fields = %s: %s", got, r.Body)
		}

		r = b.do(t, "POST", "/users/", b.admin, map[string]any{"email": "c@example.com",
			"nom": "N", "prenom": "P", "role": "client", "password": "long-enough"})
		want(t, r, http.StatusBadRequest)
		if got := fields(t, r); len(got) != 1 || got[0] != "client_id" {
			t.Errorf("client without client_id: bad fields = %v", got)
		}

		r = b.do(t, "POST", "/users/", b.admin, map[string]any{"email": "t@example.com",
			"nom": "N", "prenom": "P", "role": "technicien", "password": "long-enough",
			"client_id": 4})
		want(t, r, http.StatusBadRequest)
		if got := fields(t, r); len(got) != 1 || got[0] != "client_id" {
			t.Errorf("technicien with client_id: bad fields = %v", got)
		}
	})
}

func TestRoleChangesApplyAtOnceAndAreAudited(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		b := setup(t, target, nil)
		u := userstest.CreateWithPassword(t, b.s, b.admin, coreauth.RoleResponsable, 0,
			"first-pass-1")
		tok := userstest.MustSignIn(t, b.s, u.Email, "first-pass-1")
		want(t, b.do(t, "GET", "/users/", tok.AccessToken, nil), http.StatusOK)

		path := "/users/" + strconv.FormatInt(u.ID, 10)
		r := b.do(t, "PATCH", path, b.admin, map[string]any{"role": "client"})
		want(t, r, http.StatusBadRequest) // a client needs a client_id
		r = b.do(t, "PATCH", path, b.admin, map[string]any{"role": "client", "client_id": 3})
		want(t, r, http.StatusOK)

		// The same access token now carries the client role: no more users:read.
		want(t, b.do(t, "GET", "/users/", tok.AccessToken, nil), http.StatusForbidden)
		r = b.s.Do(t, apptest.Request{Method: "POST", Path: "/api/v1/auth/refresh",
			Body: map[string]string{"refresh_token": tok.RefreshToken}})
		want(t, r, http.StatusUnauthorized)

		audit := b.do(t, "GET", "/audit/?resource=users&resource_id="+
			strconv.FormatInt(u.ID, 10)+"&action=user.role_change", b.admin, nil)
		want(t, audit, http.StatusOK)
		body := string(audit.Body)
		if !strings.Contains(body, `"avant":{"client_id":null,"role":"responsable"}`) ||
			!strings.Contains(body, `"apres":{"client_id":3,"role":"client"}`) {
			t.Errorf("role change entry = %s", audit.Body)
		}
	})
}

func TestOwnProfileAndPasswordChange(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		b := setup(t, target, nil)
		u := userstest.CreateWithPassword(t, b.s, b.admin, coreauth.RoleTechnicien, 0,
			"old-password-1")
		tok := userstest.MustSignIn(t, b.s, u.Email, "old-password-1")

		me := b.do(t, "GET", "/users/me", tok.AccessToken, nil)
		want(t, me, http.StatusOK)
		r := b.do(t, "PATCH", "/users/me", tok.AccessToken, map[string]any{"prenom": "Karim"})
		want(t, r, http.StatusOK)

		r = b.do(t, "PATCH", "/users/me", tok.AccessToken, map[string]any{
			"password": "new-password-1"})
		want(t, r, http.StatusBadRequest)
		if got := fields(t, r); len(got) != 1 || got[0] != "current_password" {
			t.Errorf("without current password: bad fields = %v", got)
		}
		r = b.do(t, "PATCH", "/users/me", tok.AccessToken, map[string]any{
			"password": "new-password-1", "current_password": "wrong-one"})
		want(t, r, http.StatusBadRequest)
		r = b.do(t, "PATCH", "/users/me", tok.AccessToken, map[string]any{
			"password": "new-password-1", "current_password": "old-password-1"})
		want(t, r, http.StatusOK)

		r = b.s.Do(t, apptest.Request{Method: "POST", Path: "/api/v1/auth/refresh",
			Body: map[string]string{"refresh_token": tok.RefreshToken}})
		want(t, r, http.StatusUnauthorized)
		want(t, userstest.SignIn(t, b.s, u.Email, "old-password-1"), http.StatusUnauthorized)
		userstest.MustSignIn(t, b.s, u.Email, "new-password-1")

		audit := b.do(t, "GET", "/audit/?action=user.password_change&user_id="+
			strconv.FormatInt(u.ID, 10), b.admin, nil)
		if audit.Header.Get("X-Total-Count") != "1" {
			t.Errorf("password change entries: %s", audit.Body)
		}
	})
}

func TestAClientUserSeesOnlyItself(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		// Clients hold no users permission by default; grant one to reach the
		// store's scoping.
		b := setup(t, target, map[string]any{
			"auth.grants": map[string]any{"client": []string{"users:read"}}})
		mine := userstest.Create(t, b.s, coreauth.RoleClient, 7)
		sameClient := userstest.Create(t, b.s, coreauth.RoleClient, 7)
		other := userstest.Create(t, b.s, coreauth.RoleClient, 8)

		list := b.do(t, "GET", "/users/", mine.Token, nil)
		want(t, list, http.StatusOK)
		var us []userOut
		list.JSON(t, &us)
		if len(us) != 1 || us[0].ID != mine.ID || list.Header.Get("X-Total-Count") != "1" {
			t.Errorf("client's list = %s", list.Body)
		}
		want(t, b.do(t, "GET", "/users/"+strconv.FormatInt(mine.ID, 10), mine.Token, nil),
			http.StatusOK)
		for _, id := range []int64{sameClient.ID, other.ID} {
			want(t, b.do(t, "GET", "/users/"+strconv.FormatInt(id, 10), mine.Token, nil),
				http.StatusNotFound)
		}
	})
}

func TestAuditLogFilters(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		b := setup(t, target, nil)
		userstest.CreateWithPassword(t, b.s, b.admin, coreauth.RoleTechnicien, 0, "pass-word-1")

		all := b.do(t, "GET", "/audit/?resource=users&action=user.create", b.admin, nil)
		want(t, all, http.StatusOK)
		if all.Header.Get("X-Total-Count") != "2" { // the demo admin and this one
			t.Errorf("user.create entries = %s", all.Body)
		}
		none := b.do(t, "GET", "/audit/?date_max=2000-01-01T00:00:00Z", b.admin, nil)
		if none.Header.Get("X-Total-Count") != "0" {
			t.Errorf("entries before 2000: %s", none.Body)
		}
		recent := b.do(t, "GET", "/audit/?date_min=2000-01-01T00:00:00Z&limit=1", b.admin, nil)
		if n, _ := strconv.Atoi(recent.Header.Get("X-Total-Count")); n < 2 ||
			!strings.Contains(recent.Header.Get("Link"), `rel="next"`) {
			t.Errorf("recent entries: total %s, Link %q", recent.Header.Get("X-Total-Count"),
				recent.Header.Get("Link"))
		}
		bad := b.do(t, "GET", "/audit/?date_min=yesterday&user_id=x", b.admin, nil)
		want(t, bad, http.StatusBadRequest)
		if got := strings.Join(fields(t, bad), ","); got != "user_id,date_min" {
			t.Errorf("bad filters = %s", got)
		}
	})
}
