package interventions

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/swaggest/jsonschema-go"

	"github.com/erp-interventions/erp/core/httpx"
)

// transitionInput is what any step may carry, gathered from its body.
type transitionInput struct {
	TechnicienID  int64
	DatePlanifiee *time.Time
	Forcer        bool
	Motif         string
	Rapport       string
}

// transitionBody is implemented by the request type of each step.
type transitionBody interface {
	// input checks the body and returns what it carries, or a 400 naming
	// each bad member.
	input() (transitionInput, error)
}

// newBody returns a new T as a transitionBody.
func newBody[T any, PT interface {
	*T
	transitionBody
}]() transitionBody {
	return PT(new(T))
}

// target is the part every workflow request shares: the intervention's id
// and the optional idempotency key.
type target struct {
	ID             int64  `json:"-" path:"id" minimum:"1" description:"Identifiant de l'intervention"`
	IdempotencyKey string `json:"-" header:"Idempotency-Key" description:"Clé d'idempotence (24 h)"`
}

// AffectationRequest is the body of affecter: who, when, and whether an
// admin overrides missing competencies.
type AffectationRequest struct {
	target
	TechnicienID  int64      `json:"technicien_id" required:"true" minimum:"1"`
	DatePlanifiee *time.Time `json:"date_planifiee,omitempty"`
	Forcer        bool       `json:"forcer,omitempty" default:"false"`
	Motif         string     `json:"motif,omitempty" maxLength:"1000"`
}

func (b *AffectationRequest) input() (transitionInput, error) {
	var errs []httpx.FieldError
	if b.TechnicienID <= 0 {
		errs = append(errs, httpx.Field("technicien_id", "missing", "technicien_id est requis"))
	}
	errs = appendLength(errs, "motif", b.Motif, 0, 1000)
	if len(errs) > 0 {
		return transitionInput{}, httpx.Invalid(errs...)
	}
	return transitionInput{TechnicienID: b.TechnicienID, DatePlanifiee: b.DatePlanifiee,
		Forcer: b.Forcer, Motif: strings.TrimSpace(b.Motif)}, nil
}

// SuspensionRequest is the body of suspendre: why the work waits.
type SuspensionRequest struct {
	target
	Motif string `json:"motif" required:"true" minLength:"3" maxLength:"1000"`
}

func (b *SuspensionRequest) input() (transitionInput, error) {
	return motifInput(b.Motif, 3)
}

// AnnulationRequest is the body of annuler: why the intervention is
// cancelled.
type AnnulationRequest struct {
	target
	Motif string `json:"motif" required:"true" minLength:"3" maxLength:"1000"`
}

func (b *AnnulationRequest) input() (transitionInput, error) {
	return motifInput(b.Motif, 3)
}

// ClotureRequest is the body of cloturer: the report of the work done.
type ClotureRequest struct {
	target
	Rapport string `json:"rapport" required:"true" minLength:"10" maxLength:"5000"`
}

func (b *ClotureRequest) input() (transitionInput, error) {
	r := strings.TrimSpace(b.Rapport)
	if errs := appendLength(nil, "rapport", r, 10, 5000); len(errs) > 0 {
		return transitionInput{}, httpx.Invalid(errs...)
	}
	return transitionInput{Rapport: r}, nil
}

// TransitionRequest is the optional body of demarrer, reprendre and
// archiver.
type TransitionRequest struct {
	target
	Motif string `json:"motif,omitempty" maxLength:"1000"`
}

func (b *TransitionRequest) input() (transitionInput, error) {
	return motifInput(b.Motif, 0)
}

func motifInput(motif string, minLen int) (transitionInput, error) {
	m := strings.TrimSpace(motif)
	if errs := appendLength(nil, "motif", m, minLen, 1000); len(errs) > 0 {
		return transitionInput{}, httpx.Invalid(errs...)
	}
	return transitionInput{Motif: m}, nil
}

// appendLength checks that the body member name holds between minLen and
// maxLen characters, an empty value counting as missing when minLen > 0.
func appendLength(errs []httpx.FieldError, name, v string, minLen, maxLen int) []httpx.FieldError {
	n := utf8.RuneCountInString(v)
	switch {
	case n == 0 && minLen > 0:
		return append(errs, httpx.Field(name, "missing", name+" est requis"))
	case n < minLen:
		return append(errs, httpx.Field(name, "string_too_short",
			"doit contenir au moins "+itoa(minLen)+" caractères"))
	case n > maxLen:
		return append(errs, httpx.Field(name, "string_too_long",
			"doit contenir au plus "+itoa(maxLen)+" caractères"))
	}
	return errs
}

// The maps below describe each request and response type's members in the
// OpenAPI document (see describe).
var affectationRequestDescriptions = map[string]string{
	"technicien_id":  "Technicien affecté",
	"date_planifiee": "Date planifiée des travaux",
	"forcer": "Affecter malgré des compétences manquantes ou expirées (permission " +
		"interventions:force_assign) ; l'historique le note",
	"motif": "Motif de l'affectation ou de la réaffectation",
}

// PrepareJSONSchema documents the members.
func (AffectationRequest) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, affectationRequestDescriptions)
	return nil
}

var suspensionRequestDescriptions = map[string]string{
	"motif": "Raison de la mise en attente (pièce manquante, accès impossible…)",
}

// PrepareJSONSchema documents the members.
func (SuspensionRequest) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, suspensionRequestDescriptions)
	return nil
}

var annulationRequestDescriptions = map[string]string{
	"motif": "Raison de l'annulation",
}

// PrepareJSONSchema documents the members.
func (AnnulationRequest) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, annulationRequestDescriptions)
	return nil
}

var clotureRequestDescriptions = map[string]string{
	"rapport": "Rapport d'intervention : travaux réalisés, pièces, constats",
}

// PrepareJSONSchema documents the members.
func (ClotureRequest) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, clotureRequestDescriptions)
	return nil
}

var transitionRequestDescriptions = map[string]string{
	"motif": "Commentaire noté dans l'historique",
}

// PrepareJSONSchema documents the members.
func (TransitionRequest) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, transitionRequestDescriptions)
	return nil
}
