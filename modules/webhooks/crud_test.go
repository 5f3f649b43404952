package webhooks_test

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

func hookPath(id int64) string { return "/api/v1/webhooks/" + strconv.FormatInt(id, 10) }

// TestManageSubscriptions runs the management checks on one app per
// database. A client user may be granted webhooks:manage there.
func TestManageSubscriptions(t *testing.T) {
	t.Parallel()
	dbtest.Each(t, func(t *testing.T, target dbtest.Target) {
		w := start(t, target, coreModules, fast(map[string]any{
			"auth.grants": map[string]any{"client": []string{"webhooks:manage"}}}))
		t.Run("ASubscriptionLivesAndItsSecretIsShownOnce", w.lifecycle)
		t.Run("ValidationNamesEveryBadField", w.validation)
		t.Run("OnlyWebhooksManageHoldersManage", w.permissions)
	})
}

// lifecycle walks a subscription through its life and checks that the
// secret is shown once and never again.
func (w *world) lifecycle(t *testing.T) {
	hook := w.subscribe(t, map[string]any{"url": "https://integrateur.example.com/a",
		"types_evenements": []string{"intervention.closed", "intervention.closed"},
		"secret":           "un-secret-assez-long", "client_id": 12})
	if hook.Secret == nil || *hook.Secret != "un-secret-assez-long" ||
		len(hook.Types) != 1 || *hook.ClientID != 12 || !hook.Actif {
		t.Fatalf("created = %+v", hook)
	}

	r := w.s.Get(t, hookPath(hook.ID), w.admin.Token)
	wantStatus(t, r, http.StatusOK)
	list := w.s.Get(t, "/api/v1/webhooks/", w.admin.Token)
	wantStatus(t, list, http.StatusOK)
	for _, body := range [][]byte{r.Body, list.Body} {
		if strings.Contains(string(body), "secret") {
			t.Fatalf("secret shown after creation: %s", body)
		}
	}
	if list.Header.Get("X-Total-Count") != "1" {
		t.Fatalf("X-Total-Count = %q", list.Header.Get("X-Total-Count"))
	}

	r = w.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: hookPath(hook.ID),
		Body: map[string]any{"actif": false, "client_id": 0,
			"types_evenements": []string{"*"}}, Token: w.admin.Token})
	wantStatus(t, r, http.StatusOK)
	var got webhookOut
	r.JSON(t, &got)
	if got.Actif || got.ClientID != nil || got.Types[0] != "*" ||
		got.URL != hook.URL {
		t.Fatalf("updated = %+v", got)
	}

	r = w.s.Do(t, apptest.Request{Method: http.MethodDelete, Path: hookPath(hook.ID),
		Token: w.admin.Token})
	wantStatus(t, r, http.StatusNoContent)
	wantStatus(t, w.s.Get(t, hookPath(hook.ID), w.admin.Token), http.StatusNotFound)
	wantStatus(t, w.s.Get(t, hookPath(hook.ID)+"/livraisons", w.admin.Token),
		http.StatusNotFound)
}

// validation sends bad subscriptions and checks that one 400 names each
// bad field.
func (w *world) validation(t *testing.T) {
	cases := []struct {
		name string
		body map[string]any
		want map[string]string
	}{
		{"MissingFields", map[string]any{}, map[string]string{"url": "missing",
			"types_evenements": "missing"}},
		{"EveryFieldWrong", map[string]any{"url": "ftp://exemple.fr/x",
			"types_evenements": []string{"Intervention Closed"}, "secret": "court",
			"client_id": -3}, map[string]string{"url": "url_scheme",
			"types_evenements": "string_pattern_mismatch", "secret": "string_too_short",
			"client_id": "greater_than"}},
		{"RelativeURL", map[string]any{"url": "/hook", "types_evenements": []string{"*"}},
			map[string]string{"url": "url_parsing"}},
		{"CredentialsInURL", map[string]any{"url": "https://a:b@exemple.fr/",
			"types_evenements": []string{"*"}}, map[string]string{"url": "value_error"}},
		{"UnknownField", map[string]any{"url": "https://exemple.fr/",
			"types_evenements": []string{"*"}, "evenements": "x"},
			map[string]string{"evenements": "extra_forbidden"}},
	}
	for _, tc := range cases {
		got := fieldErrors(t, w.post(t, "/api/v1/webhooks/", tc.body, w.admin.Token))
		for field, kind := range tc.want {
			if got[field] != kind {
				t.Errorf("%s: %s error %q, want %q (all: %v)", tc.name, field,
					got[field], kind, got)
			}
		}
	}

	hook := w.subscribe(t, map[string]any{"url": "https://exemple.fr/",
		"types_evenements": []string{"*"}})
	r := w.s.Do(t, apptest.Request{Method: http.MethodPatch, Path: hookPath(hook.ID),
		Body:  map[string]any{"types_evenements": []string{}, "secret": "x"},
		Token: w.admin.Token})
	got := fieldErrors(t, r)
	if got["types_evenements"] != "missing" || got["secret"] != "string_too_short" {
		t.Fatalf("update errors = %v", got)
	}
}

// permissions: admins hold webhooks:manage, other roles do not unless
// auth.grants adds it; a client user granted it sees and subscribes to its
// own client only.
func (w *world) permissions(t *testing.T) {
	body := map[string]any{"url": "https://exemple.fr/", "types_evenements": []string{"*"}}
	other := w.subscribe(t, body)

	for _, role := range []coreauth.Role{coreauth.RoleResponsable,
		coreauth.RoleTechnicien} {
		u := userstest.Create(t, w.s, role, 0)
		r := w.post(t, "/api/v1/webhooks/", body, u.Token)
		wantStatus(t, r, http.StatusForbidden)
		if !strings.Contains(string(r.Body), "webhooks:manage") {
			t.Errorf("%s: 403 does not name the permission: %s", role, r.Body)
		}
		wantStatus(t, w.s.Get(t, "/api/v1/webhooks/", u.Token), http.StatusForbidden)
	}
	wantStatus(t, w.s.Get(t, "/api/v1/webhooks/", ""), http.StatusUnauthorized)

	cu := userstest.Create(t, w.s, coreauth.RoleClient, 9)
	r := w.post(t, "/api/v1/webhooks/", body, cu.Token)
	wantStatus(t, r, http.StatusCreated)
	var own webhookOut
	r.JSON(t, &own)
	if own.ClientID == nil || *own.ClientID != 9 {
		t.Fatalf("client user's webhook has client_id %v", own.ClientID)
	}
	wantStatus(t, w.s.Get(t, hookPath(other.ID), cu.Token), http.StatusNotFound)
	r = w.post(t, "/api/v1/webhooks/", map[string]any{"url": "https://exemple.fr/",
		"types_evenements": []string{"*"}, "client_id": 10}, cu.Token)
	if got := fieldErrors(t, r)["client_id"]; got != "value_error" {
		t.Fatalf("client_id error %q", got)
	}
}
