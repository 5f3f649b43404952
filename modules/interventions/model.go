package interventions

import (
	"time"

	"github.com/swaggest/jsonschema-go"
	"github.com/swaggest/openapi-go/openapi3"
	"github.com/uptrace/bun"
)

// InterventionType is the kind of maintenance work, as the contract names it.
type InterventionType string

// The contract's intervention types.
const (
	TypeCorrective   InterventionType = "corrective"
	TypePreventive   InterventionType = "preventive"
	TypeAmeliorative InterventionType = "ameliorative"
	TypeDiagnostic   InterventionType = "diagnostic"
)

var interventionTypes = []InterventionType{
	TypeCorrective, TypePreventive, TypeAmeliorative, TypeDiagnostic,
}

// Enum lists the accepted values for the OpenAPI document.
func (InterventionType) Enum() []any { return enumOf(interventionTypes) }

// PrepareJSONSchema adds the contract's description and example.
func (InterventionType) PrepareJSONSchema(s *jsonschema.Schema) error {
	s.WithDescription("Type d'intervention de maintenance").WithExamples(string(TypeCorrective))
	return nil
}

// Valid reports whether t is one of the contract's values.
func (t InterventionType) Valid() bool { return contains(interventionTypes, t) }

// StatutIntervention is a status of the intervention workflow.
type StatutIntervention string

// The workflow's statuses.
const (
	StatutOuverte   StatutIntervention = "ouverte"
	StatutAffectee  StatutIntervention = "affectee"
	StatutEnCours   StatutIntervention = "en_cours"
	StatutEnAttente StatutIntervention = "en_attente"
	StatutCloturee  StatutIntervention = "cloturee"
	StatutAnnulee   StatutIntervention = "annulee"
	StatutArchivee  StatutIntervention = "archivee"
)

var statuts = []StatutIntervention{
	StatutOuverte, StatutAffectee, StatutEnCours, StatutEnAttente, StatutCloturee,
	StatutAnnulee, StatutArchivee,
}

// Enum lists the accepted values for the OpenAPI document.
func (StatutIntervention) Enum() []any { return enumOf(statuts) }

// PrepareJSONSchema adds the contract's description and example.
func (StatutIntervention) PrepareJSONSchema(s *jsonschema.Schema) error {
	s.WithDescription("Statut dans le workflow d'intervention").
		WithExamples(string(StatutOuverte))
	return nil
}

// Valid reports whether s is one of the contract's values.
func (s StatutIntervention) Valid() bool { return contains(statuts, s) }

// PrioriteIntervention is how soon an intervention must be handled.
type PrioriteIntervention string

// The contract's priorities.
const (
	PrioriteUrgente    PrioriteIntervention = "urgente"
	PrioriteHaute      PrioriteIntervention = "haute"
	PrioriteNormale    PrioriteIntervention = "normale"
	PrioriteBasse      PrioriteIntervention = "basse"
	PrioriteProgrammee PrioriteIntervention = "programmee"
)

var priorites = []PrioriteIntervention{
	PrioriteUrgente, PrioriteHaute, PrioriteNormale, PrioriteBasse, PrioriteProgrammee,
}

// Enum lists the accepted values for the OpenAPI document.
func (PrioriteIntervention) Enum() []any { return enumOf(priorites) }

// PrepareJSONSchema adds the contract's description and example.
func (PrioriteIntervention) PrepareJSONSchema(s *jsonschema.Schema) error {
	s.WithDescription("Niveau de priorité de l'intervention").
		WithExamples(string(PrioriteNormale))
	return nil
}

// Valid reports whether p is one of the contract's values.
func (p PrioriteIntervention) Valid() bool { return contains(priorites, p) }

// rang orders priorities from the least to the most pressing, so that
// sort=-priorite lists the most urgent first. It is stored next to priorite
// because sorting the names alphabetically would mean nothing.
func (p PrioriteIntervention) rang() int {
	switch p {
	case PrioriteProgrammee:
		return 1
	case PrioriteBasse:
		return 2
	case PrioriteHaute:
		return 4
	case PrioriteUrgente:
		return 5
	}
	return 3
}

// InterventionCreate is the body of create_intervention, exactly as the
// contract defines it. client_id is not in it: it comes from the equipment.
type InterventionCreate struct {
	IdempotencyKey string `json:"-" header:"Idempotency-Key" description:"Clé d'idempotence (24 h)"`

	EquipementID int64  `json:"equipement_id" required:"true"`
	Titre        string `json:"titre" required:"true" minLength:"5" maxLength:"255"`
	Description  string `json:"description" required:"true" minLength:"10" maxLength:"2000"`

	TypeIntervention InterventionType     `json:"type_intervention" required:"true"`
	Priorite         PrioriteIntervention `json:"priorite,omitempty" default:"normale"`
	Urgence          bool                 `json:"urgence,omitempty" default:"false"`
}

// PrepareJSONSchema sets the contract's example.
func (InterventionCreate) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, interventionCreateDescriptions)
	s.WithExamples(map[string]any{
		"equipement_id": 123,
		"titre":         "Réparation pompe principale",
		"description": "La pompe principale présente des dysfonctionnements " +
			"nécessitant une intervention immédiate.",
		"type_intervention": "corrective",
		"priorite":          "haute",
		"urgence":           true,
	})
	plainIntegers(s)
	return nil
}

// PatchOpenAPISchema writes priorite's default beside its $ref, as the
// contract does; JSON Schema reflection drops a $ref's siblings.
func (InterventionCreate) PatchOpenAPISchema(s *openapi3.Schema) {
	p, ok := s.Properties["priorite"]
	if !ok || p.SchemaReference == nil {
		return
	}
	p.Schema = (&openapi3.Schema{}).WithDefault(string(PrioriteNormale))
	s.Properties["priorite"] = p
}

// InterventionOut is an intervention as the API returns it: the contract's
// fields, then the workflow's stamps, the derived duration and the version
// that the ETag carries.
type InterventionOut struct {
	bun.BaseModel `bun:"table:interventions,alias:i" json:"-"`

	ID               int64                `bun:"id,pk,autoincrement" json:"id"`
	EquipementID     int64                `bun:"equipement_id" json:"equipement_id"`
	TechnicienID     *int64               `bun:"technicien_id" json:"technicien_id"`
	ClientID         int64                `bun:"client_id" json:"client_id"`
	TypeIntervention InterventionType     `bun:"type_intervention" json:"type_intervention"`
	Statut           StatutIntervention   `bun:"statut" json:"statut"`
	Priorite         PrioriteIntervention `bun:"priorite" json:"priorite"`
	Urgence          bool                 `bun:"urgence" json:"urgence"`
	Titre            string               `bun:"titre" json:"titre"`
	Description      string               `bun:"description" json:"description"`

	CompetencesRequises []string   `bun:"competences_requises,type:text" json:"competences_requises"`
	DateCreation        time.Time  `bun:"date_creation" json:"date_creation"`
	DateModification    time.Time  `bun:"date_modification" json:"date_modification"`
	DatePlanifiee       *time.Time `bun:"date_planifiee" json:"date_planifiee"`
	DateAffectation     *time.Time `bun:"date_affectation" json:"date_affectation"`
	DateDebut           *time.Time `bun:"date_debut" json:"date_debut"`
	DateFin             *time.Time `bun:"date_fin" json:"date_fin"`
	DureeMinutes        *int64     `bun:"-" json:"duree_minutes"`
	Rapport             *string    `bun:"rapport" json:"rapport"`
	Version             int64      `bun:"version" json:"version"`

	// Extensions holds the client's own fields: keys written through PATCH
	// and fields computed by its plugins. Absent from the answer when empty.
	Extensions map[string]any `bun:"extensions" json:"extensions,omitempty"`

	// Working-time bookkeeping behind duree_minutes: the seconds worked in
	// finished periods and the start of the current one.
	TravailSecondes int64      `bun:"travail_secondes" json:"-"`
	PeriodeDebut    *time.Time `bun:"periode_debut" json:"-"`
	PrioriteRang    int        `bun:"priorite_rang" json:"-"`
	CreateurID      *int64     `bun:"createur_id" json:"-"`
}

// derive fills the fields computed from stored ones: duree_minutes counts
// the finished working periods and, while work is under way, the current
// one up to now.
func (iv *InterventionOut) derive(now time.Time) {
	if iv.CompetencesRequises == nil {
		iv.CompetencesRequises = []string{}
	}
	if iv.DateDebut == nil {
		iv.DureeMinutes = nil
		return
	}
	secs := iv.TravailSecondes
	if iv.PeriodeDebut != nil && now.After(*iv.PeriodeDebut) {
		secs += int64(now.Sub(*iv.PeriodeDebut).Seconds())
	}
	minutes := secs / 60
	iv.DureeMinutes = &minutes
}

// PrepareJSONSchema drops the int64 format, absent from the contract.
func (InterventionOut) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, interventionOutDescriptions)
	plainIntegers(s)
	return nil
}

// InterventionUpdate is the body of update_intervention. Absent fields keep
// their value; date_planifiee may be set to null. statut is never writable
// here: the workflow actions change it.
type InterventionUpdate struct {
	ID      int64  `json:"-" path:"id" minimum:"1" description:"Identifiant de l'intervention"`
	IfMatch string `json:"-" header:"If-Match" description:"ETag lu ; 412 s'il a changé"`

	Titre       string `json:"titre,omitempty" minLength:"5" maxLength:"255"`
	Description string `json:"description,omitempty" minLength:"10" maxLength:"2000"`

	Priorite            PrioriteIntervention `json:"priorite,omitempty"`
	Urgence             bool                 `json:"urgence,omitempty"`
	DatePlanifiee       *time.Time           `json:"date_planifiee,omitempty"`
	CompetencesRequises []string             `json:"competences_requises,omitempty" maxItems:"20"`

	// Extensions sets keys of the extensions object; a key set to null is
	// removed, the keys not sent are kept.
	Extensions map[string]any `json:"extensions,omitempty"`

	// sent records which members the body carried, so that an absent member
	// keeps its value while an explicit one, even null or false, is applied.
	sent map[string]bool
}

// plainIntegers removes the "int64" format jsonschema-go adds to integer
// properties: the contract declares plain integers.
func plainIntegers(s *jsonschema.Schema) {
	for _, p := range s.Properties {
		if t := p.TypeObject; t != nil && t.Format != nil && *t.Format == "int64" {
			t.Format = nil
		}
	}
}

func enumOf[T ~string](values []T) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

func contains[T comparable](values []T, v T) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

// HistoriqueOut is one entry of an intervention's timeline: who moved it
// from which status to which, when and why. The first entry is its creation.
type HistoriqueOut struct {
	bun.BaseModel `bun:"table:intervention_historique,alias:h" json:"-"`

	ID             int64              `bun:"id,pk,autoincrement" json:"id"`
	InterventionID int64              `bun:"intervention_id" json:"intervention_id"`
	Action         string             `bun:"action" json:"action"`
	AncienStatut   *string            `bun:"ancien_statut" json:"ancien_statut"`
	NouveauStatut  StatutIntervention `bun:"nouveau_statut" json:"nouveau_statut"`
	Motif          *string            `bun:"motif" json:"motif"`
	TechnicienID   *int64             `bun:"technicien_id" json:"technicien_id"`
	Force          bool               `bun:"force" json:"force"`

	Manquantes []string `bun:"competences_manquantes,type:text" json:"competences_manquantes"`

	UserID *int64    `bun:"user_id" json:"user_id"`
	Date   time.Time `bun:"date" json:"date"`
}

// PrepareJSONSchema drops the int64 format, as on the contract's schemas.
func (HistoriqueOut) PrepareJSONSchema(s *jsonschema.Schema) error {
	if p, ok := s.Properties["action"]; ok && p.TypeObject != nil {
		values := []any{"creation"}
		for _, st := range workflow {
			values = append(values, string(st.Action))
		}
		p.TypeObject.WithEnum(values...)
	}
	describe(s, historiqueOutDescriptions)
	plainIntegers(s)
	return nil
}

// CommentaireCreate is the body of create_intervention_comment.
type CommentaireCreate struct {
	target
	Texte string `json:"texte" required:"true" minLength:"1" maxLength:"2000"`
}

// CommentaireOut is a comment on an intervention.
type CommentaireOut struct {
	bun.BaseModel `bun:"table:intervention_commentaires,alias:c" json:"-"`

	ID             int64     `bun:"id,pk,autoincrement" json:"id"`
	InterventionID int64     `bun:"intervention_id" json:"intervention_id"`
	UserID         *int64    `bun:"user_id" json:"user_id"`
	Texte          string    `bun:"texte" json:"texte"`
	DateCreation   time.Time `bun:"date_creation" json:"date_creation"`
}

// PrepareJSONSchema drops the int64 format, as on the contract's schemas.
func (CommentaireOut) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, commentaireOutDescriptions)
	plainIntegers(s)
	return nil
}

// InterventionRef names one intervention in a path.
type InterventionRef struct {
	ID int64 `json:"-" path:"id" minimum:"1" description:"Identifiant de l'intervention"`
}

// InterventionQuery documents the filters of list_interventions. The
// handler reads them from the URL itself (see parseFilter).
type InterventionQuery struct {
	Statut []StatutIntervention `query:"statut" explode:"false" description:"a,b ou répété"`

	Priorite         []PrioriteIntervention `query:"priorite" explode:"false"`
	TypeIntervention []InterventionType     `query:"type_intervention" explode:"false"`
	Urgence          *bool                  `query:"urgence" description:"Urgentes ou non"`

	TechnicienID int64 `query:"technicien_id" minimum:"1" description:"Technicien affecté"`
	ClientID     int64 `query:"client_id" minimum:"1" description:"Client"`
	EquipementID int64 `query:"equipement_id" minimum:"1" description:"Équipement"`

	DateCreationMin  *time.Time `query:"date_creation_min" description:"Créées à partir de"`
	DateCreationMax  *time.Time `query:"date_creation_max" description:"Créées avant"`
	DatePlanifieeMin *time.Time `query:"date_planifiee_min" description:"Planifiées à partir de"`
	DatePlanifieeMax *time.Time `query:"date_planifiee_max" description:"Planifiées avant"`

	Q      string          `query:"q" maxLength:"200" description:"Texte dans titre ou description"`
	Sort   InterventionTri `query:"sort" default:"-date_creation"`
	Limit  int             `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset int             `query:"offset" minimum:"0" default:"0"`
}

// InterventionTri is a sort key of list_interventions; a leading - reverses
// the order (-priorite lists the most urgent first).
type InterventionTri string

// Enum lists the sort keys, each in both directions.
func (InterventionTri) Enum() []any {
	var values []any
	for _, key := range sortKeys {
		values = append(values, key, "-"+key)
	}
	return values
}

// InterventionListHeaders documents the paging headers of a list answer.
type InterventionListHeaders struct {
	TotalCount int    `header:"X-Total-Count" description:"Nombre total de résultats"`
	Link       string `header:"Link" description:"Pages voisines (rel=next, rel=prev)"`
}

// InterventionETagHeader documents the ETag of an answer.
type InterventionETagHeader struct {
	ETag string `header:"ETag" description:"Version de la ressource, pour If-Match"`
}

// InterventionCreatedHeaders documents the headers of a creation answer.
type InterventionCreatedHeaders struct {
	Location string `header:"Location" description:"URL de l'intervention créée"`
	ETag     string `header:"ETag" description:"Version de la ressource, pour If-Match"`
}

// The maps below describe each request and response type's members in the
// OpenAPI document (see describe).
var interventionCreateDescriptions = map[string]string{
	"equipement_id": "ID de l'équipement concerné",
	"titre":         "Titre de l'intervention",
	"description":   "Description détaillée",
	"urgence":       "Intervention urgente",
}

var interventionOutDescriptions = map[string]string{
	"id": "Identifiant unique",
	"competences_requises": "Codes des compétences qu'un technicien doit détenir " +
		"pour être affecté",
	"date_affectation": "Date de la dernière affectation",
	"date_debut":       "Date du premier démarrage des travaux",
	"date_fin":         "Date de clôture",
	"duree_minutes": "Temps de travail en minutes, périodes en attente exclues ; " +
		"renseigné dès le démarrage",
	"extensions": "Champs propres au client : écrits par PATCH ou calculés par ses " +
		"plugins ; absent quand vide",
	"rapport": "Rapport de clôture",
	"version": "Version, reprise dans l'ETag",
}

var interventionUpdateDescriptions = map[string]string{
	"titre":                "Titre de l'intervention",
	"description":          "Description détaillée",
	"urgence":              "Intervention urgente",
	"date_planifiee":       "Date planifiée ; null l'efface",
	"competences_requises": "Codes des compétences requises (remplace la liste)",
	"extensions": "Clés à écrire dans extensions : null retire une clé, les clés " +
		"absentes restent ; les plugins du client peuvent refuser une valeur",
}

// PrepareJSONSchema documents the members.
func (InterventionUpdate) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, interventionUpdateDescriptions)
	return nil
}

var historiqueOutDescriptions = map[string]string{
	"action":                 "Action du workflow ; creation pour la première entrée",
	"ancien_statut":          "Statut avant l'action ; null pour la création",
	"technicien_id":          "Technicien affecté par cette action",
	"force":                  "Affectation forcée malgré des compétences manquantes",
	"competences_manquantes": "Compétences manquantes ou expirées lors d'une affectation forcée",
	"user_id":                "Utilisateur ayant agi",
}

var commentaireCreateDescriptions = map[string]string{
	"texte": "Texte du commentaire",
}

// PrepareJSONSchema documents the members.
func (CommentaireCreate) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, commentaireCreateDescriptions)
	return nil
}

var commentaireOutDescriptions = map[string]string{
	"user_id": "Auteur",
}

// describe sets the descriptions of s's members (properties, or the
// parameters of a path, query or header struct). They live in code rather
// than in struct tags, which they would stretch past a readable width.
func describe(s *jsonschema.Schema, descriptions map[string]string) {
	for name, text := range descriptions {
		if p, ok := s.Properties[name]; ok && p.TypeObject != nil {
			p.TypeObject.WithDescription(text)
		}
	}
}
