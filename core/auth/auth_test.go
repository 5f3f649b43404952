package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/httpx"
)

var testParams = PasswordParams{MemoryKiB: 1024, Iterations: 1, Threads: 1}

func TestPasswordHashRoundTrip(t *testing.T) {
	t.Parallel()
	h := NewHasher(testParams)
	ctx := context.Background()
	hash, err := h.Hash(ctx, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash = %q", hash)
	}
	if again, _ := h.Hash(ctx, "correct horse"); again == hash {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
	if err := h.Check(ctx, hash, "correct horse"); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := h.Check(ctx, hash, "correct horsf"); !errors.Is(err, ErrPasswordMismatch) {
		t.Errorf("wrong password: %v", err)
	}
	// A hash made with other parameters stays verifiable.
	other, _ := NewHasher(PasswordParams{MemoryKiB: 2048, Iterations: 2, Threads: 2}).
		Hash(ctx, "pw")
	if err := h.Check(ctx, other, "pw"); err != nil {
		t.Errorf("hash with other parameters: %v", err)
	}
	for _, bad := range []string{"!", "", "$argon2i$v=19$m=1,t=1,p=1$AA$AA",
		"$argon2id$v=19$m=0,t=1,p=1$AA$AA", "$argon2id$v=19$m=1024,t=1,p=1$!!$AA"} {
		if err := h.Check(ctx, bad, "pw"); err == nil || errors.Is(err, ErrPasswordMismatch) {
			t.Errorf("malformed hash %q: %v", bad, err)
		}
	}
}

// TestDummyCheckCostsARealCheck guards against account enumeration by
// timing: a sign-in naming no account must cost as much as a wrong
// password. The fastest of several runs of each is compared, which keeps
// scheduling noise out.
// TestDummyCheckCostsARealCheck checks, without timing anything, that the
// sign-in of an unknown e-mail does the same work as a wrong password: the
// dummy hash is checked by the same function with the same argon2id
// parameters as a real one.
func TestDummyCheckCostsARealCheck(t *testing.T) {
	t.Parallel()
	h := NewHasher(DefaultPasswordParams)
	hash, err := h.Hash(context.Background(), "the real one")
	if err != nil {
		t.Fatal(err)
	}
	params := func(encoded string) string {
		// $argon2id$v=19$m=…,t=…,p=…$salt$key: everything before the salt.
		parts := strings.Split(encoded, "$")
		if len(parts) != 6 {
			t.Fatalf("hash %q has %d parts", encoded, len(parts))
		}
		return strings.Join(parts[:4], "$")
	}
	if got, want := params(h.dummy), params(hash); got != want {
		t.Fatalf("dummy hash parameters %q, real ones %q", got, want)
	}
}

func TestGrantsFromConfiguration(t *testing.T) {
	t.Parallel()
	g, err := NewGrants(map[string][]string{"technicien": {ClientsWrite}})
	if err != nil {
		t.Fatal(err)
	}
	if !g.Allows(RoleTechnicien, ClientsWrite) || g.Allows(RoleClient, ClientsWrite) {
		t.Error("extra grant not applied to exactly its role")
	}
	if !g.Allows(RoleAdmin, JobsAdmin) || g.Allows(RoleResponsable, UsersWrite) {
		t.Error("default table changed")
	}
	_, err = NewGrants(map[string][]string{"chef": {UsersRead}, "client": {"users:fly"}})
	if err == nil || !strings.Contains(err.Error(), `auth.grants: unknown role "chef"`) ||
		!strings.Contains(err.Error(), `auth.grants.client: unknown permission "users:fly"`) {
		t.Errorf("NewGrants = %v", err)
	}
}

func TestForgetDuringALoadKeepsTheOldStateOut(t *testing.T) {
	t.Parallel()
	var active atomic.Bool
	active.Store(true)
	var cache *StateCache
	cache = NewStateCache(func(context.Context, int64) (UserState, bool, error) {
		st := UserState{Active: active.Load(), Role: RoleTechnicien}
		// The user is deactivated, and forgotten, while this load runs.
		active.Store(false)
		cache.Forget(1)
		return st, true, nil
	}, time.Minute)
	ctx := context.Background()
	if st, _, _ := cache.Get(ctx, 1); !st.Active {
		t.Fatal("first load should see the user active")
	}
	if st, _, _ := cache.Get(ctx, 1); st.Active {
		t.Error("a state read before Forget was cached")
	}
}

// benchGuard is a guard with a warm state cache and a valid token.
func benchGuard(tb testing.TB) (httpx.Guard, *httpx.Operation, string) {
	tb.Helper()
	tokens, err := NewTokens([]byte("bench-secret-0123456789abcdef0123456789"), "iss", "aud",
		time.Hour)
	if err != nil {
		tb.Fatal(err)
	}
	grants, _ := NewGrants(nil)
	states := NewStateCache(func(context.Context, int64) (UserState, bool, error) {
		return UserState{Active: true, Role: RoleTechnicien}, true, nil
	}, time.Hour)
	tok, _, err := tokens.Issue(Principal{UserID: 42, Role: RoleTechnicien})
	if err != nil {
		tb.Fatal(err)
	}
	op := &httpx.Operation{ID: "list", Permission: InterventionsRead}
	return Guard(tokens, grants, states), op, tok
}

func TestGuard(t *testing.T) {
	t.Parallel()
	guard, op, tok := benchGuard(t)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	req, err := guard(bunrouter.NewRequest(r), op)
	if err != nil {
		t.Fatal(err)
	}
	if p := FromContext(req.Context()); p == nil || p.UserID != 42 || p.TokenID == "" {
		t.Errorf("principal = %+v", p)
	}
	_, err = guard(bunrouter.NewRequest(r), &httpx.Operation{Permission: UsersWrite})
	var e *httpx.Error
	if !errors.As(err, &e) || e.Status != http.StatusForbidden {
		t.Errorf("missing permission: %v", err)
	}
}

// BenchmarkGuard measures the check every protected request pays: verify
// the token and look the user's state up in a warm cache.
func BenchmarkGuard(b *testing.B) {
	guard, op, tok := benchGuard(b)
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	req := bunrouter.NewRequest(r)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := guard(req, op); err != nil {
			b.Fatal(err)
		}
	}
}
