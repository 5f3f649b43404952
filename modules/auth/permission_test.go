package auth_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/core/module"
	_ "github.com/erp-interventions/erp/modules/all" // every standard module
	"github.com/erp-interventions/erp/modules/auth"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// TestEveryOperationEnforcesThePermissionTable is built from the route
// registry of the whole product, so operations that modules add later are
// covered without touching it. Every protected operation must refuse an
// anonymous caller with 401, and for every role either let the request past
// the permission check or refuse it with 403 naming the permission, exactly
// as the grants table says.
func TestEveryOperationEnforcesThePermissionTable(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := apptest.Start(t, apptest.Options{DatabaseURL: target.URL})
		grants, err := module.Service[*coreauth.Grants](s.App.Services, auth.GrantsService)
		if err != nil {
			t.Fatal(err)
		}
		tokens := map[coreauth.Role]string{}
		for _, role := range coreauth.Roles {
			var client int64
			if role == coreauth.RoleClient {
				client = 1
			}
			tokens[role] = userstest.Create(t, s, role, client).Token
		}

		ops := s.App.API().Operations()
		if len(ops) < 10 {
			t.Fatalf("only %d operations registered", len(ops))
		}
		for _, op := range ops {
			if op.Public {
				continue
			}
			// Ids that name nothing keep allowed calls from changing data.
			path := pathParam.ReplaceAllString(op.FullPath(), "987654")
			checkAnonymous(t, s, op.ID, op.Method, path)
			for _, role := range coreauth.Roles {
				r := s.Do(t, apptest.Request{Method: op.Method, Path: path,
					Token: tokens[role]})
				checkRole(t, r, op.ID, role, op.Permission,
					grants.Allows(role, op.Permission))
			}
		}
	})
}

func checkAnonymous(t *testing.T, s *apptest.Server, id, method, path string) {
	t.Helper()
	r := s.Do(t, apptest.Request{Method: method, Path: path})
	if r.StatusCode != http.StatusUnauthorized ||
		!strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("%s anonymous: %d %q, want 401 with a Bearer challenge", id, r.StatusCode,
			r.Header.Get("WWW-Authenticate"))
	}
}

func checkRole(t *testing.T, r *apptest.Response, id string, role coreauth.Role,
	perm string, allowed bool) {
	t.Helper()
	if allowed {
		if r.StatusCode == http.StatusUnauthorized || r.StatusCode == http.StatusForbidden {
			t.Errorf("%s as %s: %d %s, but the role holds %q", id, role, r.StatusCode,
				r.Body, perm)
		}
		return
	}
	if r.StatusCode != http.StatusForbidden {
		t.Errorf("%s as %s: %d, want 403 for the missing %q", id, role, r.StatusCode, perm)
		return
	}
	p := r.Problem(t)
	if p["permission"] != perm || !strings.Contains(p["detail"].(string), perm) {
		t.Errorf("%s as %s: 403 body %s does not name %q", id, role, r.Body, perm)
	}
}
