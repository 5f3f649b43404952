package users_test

import (
	"net/http"
	"testing"

	"github.com/erp-interventions/erp/core/app/apptest"
	coreauth "github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db/dbtest"
	"github.com/erp-interventions/erp/modules/users/userstest"
)

func TestCreatedUserTokenPassesTheGuard(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		s := apptest.Start(t, apptest.Options{DatabaseURL: target.URL})
		u := userstest.Create(t, s, coreauth.RoleClient, 7)
		if u.ID == 0 || u.Token == "" {
			t.Fatalf("user = %+v", u)
		}
		_ = http.StatusOK
	})
}
