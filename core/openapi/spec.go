// Package openapi assembles the OpenAPI 3 document from the operations the
// enabled modules declare. Schemas come from the same Go types the handlers
// decode and encode, through swaggest/openapi-go.
package openapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"

	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go"
	"github.com/swaggest/openapi-go/openapi3"

	"github.com/erp-interventions/erp/core/httpx"
)

// SecurityScheme is the name of the bearer scheme in the document.
const SecurityScheme = "BearerAuth"

// Info is the document's identity, as given by the contract.
type Info struct {
	Title        string
	Version      string
	Description  string
	ContactName  string
	ContactEmail string
	License      string
}

// DefaultInfo is the contract's info block.
var DefaultInfo = Info{
	Title:        "ERP Interventions",
	Version:      "1.0.0",
	Description:  "Backend ERP pour la gestion des interventions industrielles",
	ContactName:  "Backend Team",
	ContactEmail: "backend-team@mif-maroc.com",
	License:      "Proprietary",
}

// Tag is one of the contract's ten business tags.
type Tag struct {
	Name        string
	Description string
}

// Tags are the contract's tags, in the contract's order. Every operation
// uses one of them.
var Tags = []Tag{
	{"auth", "Authentication endpoints for JWT token management"},
	{"users", "User accounts and profile management"},
	{"techniciens", "Technician profiles and competencies"},
	{"clients", "Client organizations and relationships"},
	{"equipements", "Equipment inventory and asset management"},
	{"interventions", "Core business logic for maintenance intervention management"},
	{"planning", "Intervention scheduling and calendar"},
	{"notifications", "Real-time notifications and messaging"},
	{"documents", "File uploads and document handling"},
	{"filtres", "Advanced filtering and search capabilities"},
}

// errorDescriptions are the contract's wording for the error answers.
var errorDescriptions = map[int]string{
	http.StatusBadRequest:            "Données invalides",
	http.StatusUnauthorized:          "Authentification requise",
	http.StatusForbidden:             "Permissions insuffisantes",
	http.StatusNotFound:              "Ressource introuvable",
	http.StatusConflict:              "Conflit avec l'état actuel de la ressource",
	http.StatusPreconditionFailed:    "La version fournie dans If-Match n'est plus à jour",
	http.StatusRequestEntityTooLarge: "Corps de requête trop volumineux",
	http.StatusUnsupportedMediaType:  "Type de contenu non pris en charge",
	http.StatusUnprocessableEntity:   "Requête incohérente",
	http.StatusTooManyRequests:       "Trop de requêtes",
	http.StatusServiceUnavailable:    "Service indisponible",
}

// Build returns the OpenAPI document for ops as indented JSON.
func Build(ops []*httpx.Operation, info Info) ([]byte, error) {
	r := openapi3.NewReflector()
	names := &schemaNames{byName: map[string]reflect.Type{}}
	r.DefaultOptions = append(r.DefaultOptions, jsonschema.InterceptDefName(names.name))
	setupDocument(r.SpecEns(), info)

	for _, op := range ops {
		if err := addOperation(r, op); err != nil {
			return nil, fmt.Errorf("module %q: operation %s: %w", op.Module, op.ID, err)
		}
	}
	if err := names.err(); err != nil {
		return nil, err
	}
	names.patch(r.SpecEns())
	return json.MarshalIndent(r.SpecEns(), "", "  ")
}

func setupDocument(s *openapi3.Spec, info Info) {
	s.Openapi = "3.0.3"
	s.Info.Title = info.Title
	s.Info.Version = info.Version
	s.Info.Description = &info.Description
	s.Info.Contact = &openapi3.Contact{Name: &info.ContactName, Email: &info.ContactEmail}
	s.Info.License = &openapi3.License{Name: info.License}
	desc := "API Version 1"
	s.Servers = []openapi3.Server{{URL: httpx.BasePath, Description: &desc}}

	bearer := "JWT token obtained from /auth/token endpoint"
	s.SetHTTPBearerTokenSecurity(SecurityScheme, "JWT", bearer)
	s.Security = []map[string][]string{{SecurityScheme: {}}}

	for _, t := range Tags {
		d := t.Description
		s.Tags = append(s.Tags, openapi3.Tag{Name: t.Name, Description: &d})
	}
}

func addOperation(r *openapi3.Reflector, op *httpx.Operation) error {
	oc, err := r.NewOperationContext(op.Method, op.Path)
	if err != nil {
		return err
	}
	oc.SetID(op.ID)
	oc.SetTags(op.Tag)
	oc.SetSummary(op.Summary)
	oc.SetDescription(description(op))

	if op.Request != nil {
		addRequest(oc, op)
	}
	status := op.SuccessStatus()
	oc.AddRespStructure(op.Response, openapi.WithHTTPStatus(status),
		func(cu *openapi.ContentUnit) { cu.Description = op.ResponseDescription })
	if op.ResponseHeaders != nil {
		oc.AddRespStructure(op.ResponseHeaders, openapi.WithHTTPStatus(status))
	}
	for _, code := range errorStatuses(op) {
		addError(oc, code)
	}

	if err := r.AddOperation(oc); err != nil {
		return err
	}
	if err := shareRequestSchema(r.SpecEns(), op); err != nil {
		return err
	}
	return r.SpecEns().SetupOperation(op.Method, op.Path, func(o *openapi3.Operation) error {
		if b := o.RequestBody; b != nil && b.RequestBody != nil && op.HasBody() {
			required := true
			b.RequestBody.Required = &required
		}
		if op.Public {
			// An empty requirement list overrides the document-wide bearer.
			// The Security field drops an empty list when encoded, so the
			// member goes through the extra-members map, which is merged
			// into the operation object as it is.
			if o.MapOfAnything == nil {
				o.MapOfAnything = map[string]any{}
			}
			o.MapOfAnything["security"] = []any{}
		}
		return nil
	})
}

func addRequest(oc openapi.OperationContext, op *httpx.Operation) {
	if len(op.Consumes) == 0 {
		oc.AddReqStructure(op.Request)
		return
	}
	for _, ct := range op.Consumes {
		oc.AddReqStructure(op.Request, openapi.WithContentType(ct))
	}
}

// shareRequestSchema gives every media type in op.Consumes the request
// body schema. Reflection documents only the media types whose struct tags
// it knows (json for JSON), so a body also accepted as a form, such as the
// sign-in, would lose its form variant; the same object schema describes
// the form's fields.
func shareRequestSchema(s *openapi3.Spec, op *httpx.Operation) error {
	if len(op.Consumes) < 2 {
		return nil
	}
	return s.SetupOperation(op.Method, op.Path, func(o *openapi3.Operation) error {
		body := o.RequestBody
		if body == nil || body.RequestBody == nil || len(body.RequestBody.Content) == 0 {
			return nil
		}
		var known openapi3.MediaType
		for _, mt := range body.RequestBody.Content {
			known = mt
		}
		for _, ct := range op.Consumes {
			if _, ok := body.RequestBody.Content[ct]; !ok {
				body.RequestBody.Content[ct] = known
			}
		}
		return nil
	})
}

// description appends the permission rule to the operation's description,
// so the documentation says who may call it.
func description(op *httpx.Operation) string {
	var rule string
	switch {
	case op.Public:
		rule = "Accès public : aucun jeton requis."
	case op.Permission != "":
		rule = "Permission requise : `" + op.Permission + "`."
	default:
		rule = "Authentification requise (tout utilisateur connecté)."
	}
	if op.Description == "" {
		return rule
	}
	return op.Description + "\n\n" + rule
}

func errorStatuses(op *httpx.Operation) []int {
	set := map[int]bool{}
	for _, c := range op.Errors {
		set[c] = true
	}
	if op.Request != nil && (op.HasBody() || op.Method == http.MethodGet) {
		set[http.StatusBadRequest] = true
	}
	if op.HasBody() {
		set[http.StatusRequestEntityTooLarge] = true
		set[http.StatusUnsupportedMediaType] = true
	}
	if !op.Public {
		set[http.StatusUnauthorized] = true
		if op.Permission != "" {
			set[http.StatusForbidden] = true
		}
	}
	codes := make([]int, 0, len(set))
	for c := range set {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	return codes
}

func addError(oc openapi.OperationContext, code int) {
	var body any = new(httpx.Problem)
	if code == http.StatusBadRequest {
		body = new(httpx.ValidationError)
	}
	oc.AddRespStructure(body, openapi.WithHTTPStatus(code),
		openapi.WithContentType(httpx.ProblemContentType),
		func(cu *openapi.ContentUnit) { cu.Description = errorDescriptions[code] })
}

// schemaNames gives each schema its Go type's bare name ("InterventionOut",
// not "InterventionInterventionOut"): names are part of the contract, so
// two types claiming one name is an error rather than a silent renumbering.
type schemaNames struct {
	byName    map[string]reflect.Type
	conflicts []string
}

func (n *schemaNames) name(t reflect.Type, def string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	name := t.Name()
	if name == "" || strings.ContainsAny(name, "[]") {
		return def
	}
	if prev, ok := n.byName[name]; ok && prev != t {
		n.conflicts = append(n.conflicts, fmt.Sprintf("schema name %q is claimed by %s and %s",
			name, prev.PkgPath()+"."+prev.Name(), t.PkgPath()+"."+t.Name()))
		return def
	}
	n.byName[name] = t
	return name
}

// SchemaPatcher is implemented by a schema's Go type that needs what JSON
// Schema reflection cannot express, such as a default beside a $ref, which
// the contract uses. Build calls it on the finished component schema.
type SchemaPatcher interface {
	PatchOpenAPISchema(s *openapi3.Schema)
}

// patch lets each named type that is a SchemaPatcher adjust its component.
func (n *schemaNames) patch(spec *openapi3.Spec) {
	schemas := spec.ComponentsEns().SchemasEns().MapOfSchemaOrRefValues
	for name, t := range n.byName {
		p, ok := reflect.Zero(t).Interface().(SchemaPatcher)
		if s, found := schemas[name]; ok && found && s.Schema != nil {
			p.PatchOpenAPISchema(s.Schema)
		}
	}
}

func (n *schemaNames) err() error {
	if len(n.conflicts) == 0 {
		return nil
	}
	return fmt.Errorf("%s", strings.Join(n.conflicts, "; "))
}
