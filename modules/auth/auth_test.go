package auth_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/module"
	"github.com/erp-interventions/erp/modules/auth"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

const (
	demoEmail    = "admin@example.com"
	demoPassword = "admin123"
	mePath       = "/api/v1/auth/me"
)

func start(t *testing.T, target dbtest.Target, overrides map[string]any) *apptest.Server {
	t.Helper()
	return apptest.Start(t, apptest.Options{Enabled: []string{"users", "auth"},
		DatabaseURL: target.URL, Overrides: overrides})
}

func TestSignInWithTheContractsFormAndWithJSON(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := start(t, target, nil)

		form := userstest.SignIn(t, s, demoEmail, demoPassword)
		if form.StatusCode != http.StatusOK {
			t.Fatalf("form sign-in = %d %s", form.StatusCode, form.Body)
		}
		var tok userstest.Tokens
		form.JSON(t, &tok)
		if tok.TokenType != "bearer" || tok.AccessToken == "" || tok.RefreshToken == "" ||
			tok.ExpiresIn != 900 {
			t.Errorf("token answer = %s", form.Body)
		}
		if cc := form.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q, want no-store", cc)
		}

		js := s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/token",
			Body: map[string]string{"email": "ADMIN@example.com ", "password": demoPassword}})
		if js.StatusCode != http.StatusOK {
			t.Fatalf("JSON sign-in = %d %s", js.StatusCode, js.Body)
		}

		me := s.Get(t, mePath, tok.AccessToken)
		var out struct {
			Email       string   `json:"email"`
			Role        string   `json:"role"`
			Permissions []string `json:"permissions"`
		}
		me.JSON(t, &out)
		if me.StatusCode != http.StatusOK || out.Email != demoEmail || out.Role != "admin" ||
			len(out.Permissions) != len(coreauth.AllPermissions) {
			t.Errorf("GET /auth/me = %d %s", me.StatusCode, me.Body)
		}
	})
}

func TestSignInRefusesAlikeWhateverTheReason(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := start(t, target, nil)

		missing := s.Do(t, apptest.Request{Method: http.MethodPost,
			Path: "/api/v1/auth/token", Body: map[string]string{}})
		if missing.StatusCode != http.StatusBadRequest ||
			!strings.Contains(string(missing.Body), `"email"`) ||
			!strings.Contains(string(missing.Body), `"password"`) {
			t.Errorf("empty sign-in = %d %s", missing.StatusCode, missing.Body)
		}

		// That both cost one password hash is checked without the noise of
		// HTTP and the database in core/auth (TestDummyCheckCostsARealCheck).
		unknown := userstest.SignIn(t, s, "nobody@example.com", demoPassword)
		wrong := userstest.SignIn(t, s, demoEmail, "wrong-password")

		for _, r := range []*apptest.Response{unknown, wrong} {
			if r.StatusCode != http.StatusUnauthorized ||
				!strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("refused sign-in = %d %q", r.StatusCode, r.Header)
			}
		}
		a, b := unknown.Problem(t), wrong.Problem(t)
		if a["detail"] != b["detail"] || a["title"] != b["title"] {
			t.Errorf("answers differ:\n%s\n%s", unknown.Body, wrong.Body)
		}
	})
}

// forged builds a signed token from claims with method and key.
func forged(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBrokenTokensAreRefused(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := start(t, target, nil)
		u := userstest.Create(t, s, coreauth.RoleResponsable, 0)
		gone := userstest.Create(t, s, coreauth.RoleResponsable, 0)
		admin := userstest.Create(t, s, coreauth.RoleAdmin, 0)
		cfg := s.App.Config.Auth
		key := []byte(apptest.TestSecret)
		now := time.Now()

		valid := func(sub int64) jwt.MapClaims {
			return jwt.MapClaims{"iss": cfg.Issuer, "aud": cfg.Audience,
				"sub": strconv.FormatInt(sub, 10), "role": "responsable",
				"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Minute).Unix(),
				"jti": "abc123"}
		}
		with := func(change func(jwt.MapClaims)) jwt.MapClaims {
			c := valid(u.ID)
			change(c)
			return c
		}
		goneToken := forged(t, jwt.SigningMethodHS256, key, valid(gone.ID))
		r := s.Do(t, apptest.Request{Method: http.MethodDelete,
			Path: "/api/v1/users/" + strconv.FormatInt(gone.ID, 10), Token: admin.Token})
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("deactivate = %d %s", r.StatusCode, r.Body)
		}
		hs := func(c jwt.MapClaims) string { return forged(t, jwt.SigningMethodHS256, key, c) }
		none := forged(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid(u.ID))
		good := hs(valid(u.ID))
		parts := strings.Split(good, ".")
		otherPayload := strings.Split(hs(with(func(c jwt.MapClaims) { c["role"] = "admin" })),
			".")[1]

		cases := []struct {
			name   string
			header string
		}{
			{"NoHeader", ""},
			{"BasicScheme", "Basic " + good},
			{"EmptyBearer", "Bearer "},
			{"Garbage", "Bearer not-a-token"},
			{"ThreeGarbageParts", "Bearer a.b.c"},
			{"AlgNone", "Bearer " + none},
			{"WrongKey", "Bearer " + forged(t, jwt.SigningMethodHS256,
				[]byte("another-secret-0123456789abcdef0123456789"), valid(u.ID))},
			{"OtherHMACAlgorithm", "Bearer " + forged(t, jwt.SigningMethodHS512, key,
				valid(u.ID))},
			{"TamperedPayload", "Bearer " + parts[0] + "." + otherPayload + "." + parts[2]},
			{"WrongIssuer", "Bearer " + hs(with(func(c jwt.MapClaims) { c["iss"] = "evil" }))},
			{"WrongAudience", "Bearer " + hs(with(func(c jwt.MapClaims) { c["aud"] = "x" }))},
			{"Expired", "Bearer " + hs(with(func(c jwt.MapClaims) {
				c["iat"], c["nbf"] = now.Add(-2*time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
				c["exp"] = now.Add(-time.Hour).Unix()
			}))},
			{"NotYetValid", "Bearer " + hs(with(func(c jwt.MapClaims) {
				c["nbf"] = now.Add(time.Hour).Unix()
			}))},
			{"IssuedInTheFuture", "Bearer " + hs(with(func(c jwt.MapClaims) {
				c["iat"] = now.Add(time.Hour).Unix()
			}))},
			{"WithoutExpiry", "Bearer " + hs(with(func(c jwt.MapClaims) { delete(c, "exp") }))},
			{"WithoutNotBefore", "Bearer " + hs(with(func(c jwt.MapClaims) { delete(c, "nbf") }))},
			{"WithoutSubject", "Bearer " + hs(with(func(c jwt.MapClaims) { delete(c, "sub") }))},
			{"WithoutTokenID", "Bearer " + hs(with(func(c jwt.MapClaims) { delete(c, "jti") }))},
			{"WithAnUnknownRole", "Bearer " + hs(with(func(c jwt.MapClaims) {
				c["role"] = "superuser"
			}))},
			{"OfAUserThatDoesNotExist", "Bearer " + hs(valid(987654))},
			{"OfADeactivatedUser", "Bearer " + goneToken},
		}
		for _, tc := range cases {
			r := s.Do(t, apptest.Request{Path: mePath,
				Header: map[string]string{"Authorization": tc.header}})
			if r.StatusCode != http.StatusUnauthorized {
				t.Errorf("%s: status %d, want 401: %s", tc.name, r.StatusCode, r.Body)
			}
			if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s: WWW-Authenticate = %q", tc.name, r.Header.Get("WWW-Authenticate"))
			}
		}
		if r := s.Get(t, mePath, good); r.StatusCode != http.StatusOK {
			t.Errorf("the well-formed control token = %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestRefreshRotatesAndAReplayRevokesTheFamily(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := start(t, target, nil)
		first := userstest.MustSignIn(t, s, demoEmail, demoPassword)

		second := refresh(t, s, first.RefreshToken, http.StatusOK)
		if second.RefreshToken == first.RefreshToken || second.AccessToken == "" {
			t.Fatalf("rotation gave %+v", second)
		}
		if r := s.Get(t, mePath, second.AccessToken); r.StatusCode != http.StatusOK {
			t.Fatalf("refreshed access token = %d", r.StatusCode)
		}
		form := s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/refresh",
			Body:   "refresh_token=" + second.RefreshToken,
			Header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}})
		if form.StatusCode != http.StatusOK {
			t.Fatalf("form refresh = %d %s", form.StatusCode, form.Body)
		}
		var third userstest.Tokens
		form.JSON(t, &third)

		refresh(t, s, first.RefreshToken, http.StatusUnauthorized) // replay
		refresh(t, s, third.RefreshToken, http.StatusUnauthorized) // family revoked
		refresh(t, s, "never-issued", http.StatusUnauthorized)

		admin := userstest.MustSignIn(t, s, demoEmail, demoPassword)
		if n := auditCount(t, s, admin.AccessToken, "auth.refresh_reuse"); n != 1 {
			t.Errorf("%d auth.refresh_reuse entries, want 1", n)
		}
		if n := auditCount(t, s, admin.AccessToken, "auth.refresh"); n != 2 {
			t.Errorf("%d auth.refresh entries, want 2", n)
		}
	})
}

func refresh(t *testing.T, s *apptest.Server, token string, want int) userstest.Tokens {
	t.Helper()
	r := s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/refresh",
		Body: map[string]string{"refresh_token": token}})
	if r.StatusCode != want {
		t.Fatalf("refresh = %d %s, want %d", r.StatusCode, r.Body, want)
	}
	var tok userstest.Tokens
	if want == http.StatusOK {
		r.JSON(t, &tok)
	}
	return tok
}

func auditCount(t *testing.T, s *apptest.Server, token, action string) int {
	t.Helper()
	r := s.Get(t, "/api/v1/audit/?limit=500&action="+action, token)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("audit list = %d %s", r.StatusCode, r.Body)
	}
	n, _ := strconv.Atoi(r.Header.Get("X-Total-Count"))
	return n
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := start(t, target, nil)
		one := userstest.MustSignIn(t, s, demoEmail, demoPassword)
		two := userstest.MustSignIn(t, s, demoEmail, demoPassword)

		r := s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/logout",
			Token: one.AccessToken, Body: map[string]string{"refresh_token": one.RefreshToken}})
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("logout = %d %s", r.StatusCode, r.Body)
		}
		refresh(t, s, one.RefreshToken, http.StatusUnauthorized)
		three := refresh(t, s, two.RefreshToken, http.StatusOK) // other session lives

		r = s.Do(t, apptest.Request{Method: http.MethodPost, Path: "/api/v1/auth/logout",
			Token: three.AccessToken})
		if r.StatusCode != http.StatusNoContent {
			t.Fatalf("logout everywhere = %d %s", r.StatusCode, r.Body)
		}
		refresh(t, s, three.RefreshToken, http.StatusUnauthorized)
	})
}

func TestThrottlingPerAccountAndPerAddress(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := start(t, target, map[string]any{
			"auth.throttle.max_failures_per_account": 3,
			"auth.throttle.max_failures_per_ip":      5,
			"auth.throttle.window":                   "1h",
		})
		admin := userstest.MustSignIn(t, s, demoEmail, demoPassword)
		u := userstest.CreateWithPassword(t, s, admin.AccessToken, coreauth.RoleTechnicien, 0,
			"correct-horse-1")

		for range 3 {
			if r := userstest.SignIn(t, s, u.Email, "wrong"); r.StatusCode != 401 {
				t.Fatalf("wrong password = %d", r.StatusCode)
			}
		}
		blocked := userstest.SignIn(t, s, u.Email, "correct-horse-1")
		checkThrottled(t, blocked)

		// Two failures on other addresses reach the client address's limit,
		// which then blocks even a valid account.
		for _, e := range []string{"x@example.com", "y@example.com"} {
			if r := userstest.SignIn(t, s, e, "wrong"); r.StatusCode != 401 {
				t.Fatalf("unknown address = %d", r.StatusCode)
			}
		}
		checkThrottled(t, userstest.SignIn(t, s, demoEmail, demoPassword))

		if n := auditCount(t, s, admin.AccessToken, "auth.login_failed"); n != 5 {
			t.Errorf("%d auth.login_failed entries, want 5", n)
		}
		if n := auditCount(t, s, admin.AccessToken, "auth.login_throttled"); n != 2 {
			t.Errorf("%d auth.login_throttled entries, want 2", n)
		}
		r := s.Get(t, "/api/v1/audit/?action=auth.login_failed&limit=1", admin.AccessToken)
		if !strings.Contains(string(r.Body), `"ip":"127.0.0.1"`) {
			t.Errorf("failed sign-in entry lacks the client address: %s", r.Body)
		}
	})
}

func checkThrottled(t *testing.T, r *apptest.Response) {
	t.Helper()
	if r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("sign-in over the limit = %d %s, want 429", r.StatusCode, r.Body)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 3600 {
		t.Errorf("Retry-After = %q", r.Header.Get("Retry-After"))
	}
}

func TestConfiguredGrantsExtendTheTable(t *testing.T) {
	t.Parallel()
	s := start(t, dbtest.SQLite(t), map[string]any{
		"auth.grants": map[string]any{"technicien": []string{"users:read"}}})
	grants, err := module.Service[*coreauth.Grants](s.App.Services, auth.GrantsService)
	if err != nil {
		t.Fatal(err)
	}
	if !grants.Allows(coreauth.RoleTechnicien, coreauth.UsersRead) ||
		grants.Allows(coreauth.RoleTechnicien, coreauth.UsersWrite) {
		t.Errorf("technicien holds %v", grants.Of(coreauth.RoleTechnicien))
	}
	tech := userstest.Create(t, s, coreauth.RoleTechnicien, 0)
	if r := s.Get(t, "/api/v1/users/", tech.Token); r.StatusCode != http.StatusOK {
		t.Errorf("granted list = %d %s", r.StatusCode, r.Body)
	}
}
