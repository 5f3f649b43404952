package interventions_test

import (
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/erp-interventions/erp/core/db/dbtest"
)

// contract holds the customer's OpenAPI fragments, copied verbatim from the
// API guide into testdata.
type contract struct {
	Schemas         map[string]map[string]any `json:"schemas"`
	OutExample      map[string]any            `json:"outExample"`
	CreateOperation struct {
		Path, Method, Summary, Description, RequestSchema, Security string
		OperationID                                                 string `json:"operationId"`
		Tags                                                        []string
		Created                                                     struct {
			Description, Schema string
		}
		Errors map[string]string
	} `json:"createOperation"`
}

type servedSpec struct {
	Components struct {
		Schemas map[string]map[string]any `json:"schemas"`
	} `json:"components"`
	Paths map[string]map[string]map[string]any `json:"paths"`
}

func loadContract(t *testing.T) contract {
	t.Helper()
	b, err := os.ReadFile("testdata/contract.json")
	if err != nil {
		t.Fatal(err)
	}
	var c contract
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

func served(t *testing.T) servedSpec {
	t.Helper()
	w := setup(t, dbtest.SQLite(t))
	var s servedSpec
	w.s.Get(t, "/openapi.json", "").JSON(t, &s)
	return s
}

// extraOut lists the members InterventionOut has beyond the contract's
// fragment (which shows only some of them; its own example shows more).
var extraOut = []string{"type_intervention", "priorite", "urgence", "titre", "description",
	"competences_requises", "date_modification", "date_affectation", "date_debut",
	"date_fin", "duree_minutes", "rapport", "version", "extensions"}

func TestServedSchemasMatchTheContract(t *testing.T) {
	t.Parallel()
	c, s := loadContract(t), served(t)
	for _, name := range []string{"InterventionCreate", "InterventionType",
		"StatutIntervention", "PrioriteIntervention"} {
		t.Run(name+"IsIdentical", func(t *testing.T) {
			compare(t, name, c.Schemas[name], s.Components.Schemas[name])
		})
	}
	t.Run("InterventionOutHasEveryContractField", func(t *testing.T) {
		want, got := c.Schemas["InterventionOut"], s.Components.Schemas["InterventionOut"]
		wantProps := want["properties"].(map[string]any)
		gotProps := got["properties"].(map[string]any)
		for field, schema := range wantProps {
			compare(t, "InterventionOut."+field, schema, gotProps[field])
		}
		for field := range gotProps {
			if wantProps[field] == nil && !contains(extraOut, field) {
				t.Errorf("InterventionOut.%s is neither in the contract nor declared", field)
			}
		}
		for field := range c.OutExample {
			if gotProps[field] == nil {
				t.Errorf("the contract's example uses %s, which InterventionOut lacks", field)
			}
		}
		if got["type"] != "object" || got["required"] != nil {
			t.Errorf("InterventionOut type %v, required %v", got["type"], got["required"])
		}
	})
}

// compare reports, member by member, how got differs from want.
func compare(t *testing.T, where string, want, got any) {
	t.Helper()
	wm, ok1 := want.(map[string]any)
	gm, ok2 := got.(map[string]any)
	if !ok1 || !ok2 {
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s = %#v, contract says %#v", where, got, want)
		}
		return
	}
	for k, v := range wm {
		compare(t, where+"."+k, v, gm[k])
	}
	for k, v := range gm {
		if _, ok := wm[k]; !ok {
			t.Errorf("%s.%s = %#v is not in the contract", where, k, v)
		}
	}
}

func TestServedCreateOperationMatchesTheContract(t *testing.T) {
	t.Parallel()
	c, s := loadContract(t), served(t)
	want := c.CreateOperation
	op := s.Paths[want.Path][want.Method]
	if op == nil {
		t.Fatalf("no %s %s in the served spec", want.Method, want.Path)
	}
	if op["operationId"] != want.OperationID || op["summary"] != want.Summary ||
		!strings.HasPrefix(op["description"].(string), want.Description) ||
		!reflect.DeepEqual(op["tags"], []any{"interventions"}) {
		t.Errorf("operation = %v", op)
	}
	if ref := dig(op, "requestBody", "content", "application/json", "schema", "$ref"); ref !=
		want.RequestSchema {
		t.Errorf("request body schema %v", ref)
	}
	if d := dig(op, "responses", "201", "description"); d != want.Created.Description {
		t.Errorf("201 description %v", d)
	}
	if ref := dig(op, "responses", "201", "content", "application/json", "schema",
		"$ref"); ref != want.Created.Schema {
		t.Errorf("201 schema %v", ref)
	}
	if ref := dig(op, "responses", "400", "content", "application/problem+json", "schema",
		"$ref"); ref != want.Errors["400"] {
		t.Errorf("400 schema %v", ref)
	}
	for _, code := range []string{"401", "403"} {
		if d := dig(op, "responses", code, "description"); d != want.Errors[code] {
			t.Errorf("%s description %v", code, d)
		}
	}
}

func dig(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
