package openapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/openapi"
)

// WidgetCreate is a request body of the tests.
type WidgetCreate struct {
	Nom string `json:"nom" required:"true" minLength:"2"`
}

func noop(http.ResponseWriter, bunrouter.Request) error { return nil }

func build(t *testing.T, ops ...httpx.Operation) map[string]any {
	t.Helper()
	api := httpx.NewAPI()
	for _, op := range ops {
		api.ForModule("test").Handle(op)
	}
	b, err := openapi.Build(api.Operations(), openapi.DefaultInfo)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func operation(doc map[string]any, path, method string) map[string]any {
	return doc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
}

func TestPublicOperationsOverrideTheBearerRequirement(t *testing.T) {
	t.Parallel()
	doc := build(t,
		httpx.Operation{ID: "open", Method: "GET", Path: "/open", Tag: "auth", Public: true,
			Handler: noop},
		httpx.Operation{ID: "closed", Method: "GET", Path: "/closed", Tag: "auth",
			Permission: "users:read", Handler: noop})
	sec, ok := operation(doc, "/open", "get")["security"]
	if !ok || len(sec.([]any)) != 0 {
		t.Fatalf("public operation security = %v, %v; want an empty list", sec, ok)
	}
	closed := operation(doc, "/closed", "get")
	if _, ok := closed["security"]; ok {
		t.Error("protected operation overrides the document's bearer requirement")
	}
	if d := closed["description"].(string); !strings.Contains(d, "`users:read`") {
		t.Errorf("description %q does not name the permission", d)
	}
	responses := closed["responses"].(map[string]any)
	if responses["401"] == nil || responses["403"] == nil {
		t.Errorf("protected operation lacks 401/403: %v", responses)
	}
}

func TestBodiesAreRequiredAndNamedAfterTheirGoType(t *testing.T) {
	t.Parallel()
	doc := build(t, httpx.Operation{ID: "create_widget", Method: "POST", Path: "/widgets/",
		Tag: "filtres", Request: new(WidgetCreate), Handler: noop})
	body := operation(doc, "/widgets/", "post")["requestBody"].(map[string]any)
	if body["required"] != true {
		t.Errorf("requestBody.required = %v", body["required"])
	}
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	if schemas["WidgetCreate"] == nil || schemas["ValidationError"] == nil {
		t.Errorf("schemas = %v", keys(schemas))
	}
	if len(doc["tags"].([]any)) != 10 {
		t.Errorf("tags = %v; want the contract's ten", doc["tags"])
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
