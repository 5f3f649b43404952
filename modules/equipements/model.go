package equipements

import (
	"time"

	"github.com/swaggest/jsonschema-go"
	"github.com/uptrace/bun"
)

// StatutEquipement is the operating status of a piece of equipment.
type StatutEquipement string

// The equipment statuses.
const (
	EnService     StatutEquipement = "en_service"
	EnPanne       StatutEquipement = "en_panne"
	EnMaintenance StatutEquipement = "en_maintenance"
	HorsService   StatutEquipement = "hors_service"
)

var statuts = []StatutEquipement{EnService, EnPanne, EnMaintenance, HorsService}

// Enum lists the values for the spec.
func (StatutEquipement) Enum() []any {
	return []any{EnService, EnPanne, EnMaintenance, HorsService}
}

// PrepareJSONSchema documents the enum in the spec.
func (StatutEquipement) PrepareJSONSchema(s *jsonschema.Schema) error {
	enumSchema(s, "Statut de fonctionnement de l'équipement", EnService)
	return nil
}

// CriticiteEquipement says how much a failure of the equipment matters.
type CriticiteEquipement string

// The criticality levels.
const (
	Basse   CriticiteEquipement = "basse"
	Moyenne CriticiteEquipement = "moyenne"
	Haute   CriticiteEquipement = "haute"
)

var criticites = []CriticiteEquipement{Basse, Moyenne, Haute}

// Enum lists the values for the spec.
func (CriticiteEquipement) Enum() []any { return []any{Basse, Moyenne, Haute} }

// PrepareJSONSchema documents the enum in the spec.
func (CriticiteEquipement) PrepareJSONSchema(s *jsonschema.Schema) error {
	enumSchema(s, "Criticité de l'équipement pour le client", Moyenne)
	return nil
}

// enumSchema describes an enum's shared schema. The schema is first met
// through a pointer field, which would mark it nullable for every use; the
// enum itself never is.
func enumSchema(s *jsonschema.Schema, description string, example any) {
	s.Type = (&jsonschema.Type{}).WithSimpleTypes(jsonschema.String)
	s.WithDescription(description).WithExamples(example)
}

// equipement is a row of the equipements table.
type equipement struct {
	bun.BaseModel `bun:"table:equipements"`

	ID                int64      `bun:"id,pk,autoincrement"`
	ClientID          int64      `bun:"client_id,notnull"`
	Nom               string     `bun:"nom,notnull"`
	NumeroSerie       string     `bun:"numero_serie,notnull"`
	Categorie         *string    `bun:"categorie"`
	Marque            *string    `bun:"marque"`
	Modele            *string    `bun:"modele"`
	Localisation      *string    `bun:"localisation"`
	DateMiseEnService *time.Time `bun:"date_mise_en_service"`
	Criticite         string     `bun:"criticite,notnull"`
	Statut            string     `bun:"statut,notnull"`
	DateCreation      time.Time  `bun:"date_creation,notnull"`
	DateModification  time.Time  `bun:"date_modification,notnull"`
	Version           int        `bun:"version,notnull"`
}

// historique is a row of the equipement_historique table.
type historique struct {
	bun.BaseModel `bun:"table:equipement_historique"`

	ID             int64     `bun:"id,pk,autoincrement"`
	EquipementID   int64     `bun:"equipement_id,notnull"`
	AncienStatut   *string   `bun:"ancien_statut"`
	NouveauStatut  string    `bun:"nouveau_statut,notnull"`
	Motif          *string   `bun:"motif"`
	InterventionID *int64    `bun:"intervention_id"`
	UserID         *int64    `bun:"user_id"`
	Date           time.Time `bun:"date,notnull"`
}

// EquipementCreate is the body of an equipment creation. The serial number
// is unique per client; criticite defaults to moyenne and statut to
// en_service.
type EquipementCreate struct {
	ClientID    int64  `json:"client_id" required:"true" minimum:"1" example:"101"`
	Nom         string `json:"nom" required:"true" minLength:"2" maxLength:"255"`
	NumeroSerie string `json:"numero_serie" required:"true" minLength:"1" maxLength:"100"`

	Categorie         *string              `json:"categorie,omitempty" maxLength:"100"`
	Marque            *string              `json:"marque,omitempty" maxLength:"100"`
	Modele            *string              `json:"modele,omitempty" maxLength:"100"`
	Localisation      *string              `json:"localisation,omitempty" maxLength:"255"`
	DateMiseEnService *string              `json:"date_mise_en_service,omitempty" format:"date"`
	Criticite         *CriticiteEquipement `json:"criticite,omitempty" default:"moyenne"`
	Statut            *StatutEquipement    `json:"statut,omitempty" default:"en_service"`
}

// EquipementUpdate is the body of a partial equipment update. An absent or
// null field is left unchanged; an empty string clears an optional field. A
// change of statut is recorded in the history with the optional motif.
type EquipementUpdate struct {
	ID      int64  `json:"-" path:"id" description:"Identifiant de l'équipement"`
	IfMatch string `json:"-" header:"If-Match" description:"ETag lu par GET (sinon 412)"`

	Nom               *string              `json:"nom,omitempty" minLength:"2" maxLength:"255"`
	NumeroSerie       *string              `json:"numero_serie,omitempty" maxLength:"100"`
	Categorie         *string              `json:"categorie,omitempty" maxLength:"100"`
	Marque            *string              `json:"marque,omitempty" maxLength:"100"`
	Modele            *string              `json:"modele,omitempty" maxLength:"100"`
	Localisation      *string              `json:"localisation,omitempty" maxLength:"255"`
	DateMiseEnService *string              `json:"date_mise_en_service,omitempty" format:"date"`
	Criticite         *CriticiteEquipement `json:"criticite,omitempty"`
	Statut            *StatutEquipement    `json:"statut,omitempty"`
	Motif             *string              `json:"motif,omitempty" maxLength:"500"`
}

// EquipementOut is a piece of equipment as the API returns it.
type EquipementOut struct {
	ID                int64               `json:"id" required:"true" example:"456"`
	ClientID          int64               `json:"client_id" required:"true" example:"101"`
	Nom               string              `json:"nom" required:"true" example:"Pompe principale"`
	NumeroSerie       string              `json:"numero_serie" required:"true" example:"PX-2291"`
	Categorie         *string             `json:"categorie" example:"pompe"`
	Marque            *string             `json:"marque" example:"Grundfos"`
	Modele            *string             `json:"modele" example:"CR 32"`
	Localisation      *string             `json:"localisation" example:"Station 2"`
	DateMiseEnService *string             `json:"date_mise_en_service" format:"date"`
	Criticite         CriticiteEquipement `json:"criticite" required:"true"`
	Statut            StatutEquipement    `json:"statut" required:"true"`
	DateCreation      time.Time           `json:"date_creation" required:"true"`
	DateModification  time.Time           `json:"date_modification" required:"true"`
	Version           int                 `json:"version" required:"true" example:"1"`
}

// EquipementHistoriqueOut is one status change of a piece of equipment.
// ancien_statut is null for the status given at creation.
type EquipementHistoriqueOut struct {
	ID             int64             `json:"id" required:"true"`
	EquipementID   int64             `json:"equipement_id" required:"true"`
	AncienStatut   *StatutEquipement `json:"ancien_statut"`
	NouveauStatut  StatutEquipement  `json:"nouveau_statut" required:"true"`
	Motif          *string           `json:"motif" example:"Fuite au joint"`
	InterventionID *int64            `json:"intervention_id" description:"Intervention cause"`
	UserID         *int64            `json:"user_id" description:"Auteur du changement"`
	Date           time.Time         `json:"date" required:"true"`
}

// dateLayout is the wire and storage form of calendar dates.
const dateLayout = "2006-01-02"

func (e *equipement) out() EquipementOut {
	o := EquipementOut{
		ID: e.ID, ClientID: e.ClientID, Nom: e.Nom, NumeroSerie: e.NumeroSerie,
		Categorie: e.Categorie, Marque: e.Marque, Modele: e.Modele,
		Localisation: e.Localisation, Criticite: CriticiteEquipement(e.Criticite),
		Statut: StatutEquipement(e.Statut), DateCreation: e.DateCreation.UTC(),
		DateModification: e.DateModification.UTC(), Version: e.Version,
	}
	if e.DateMiseEnService != nil {
		d := e.DateMiseEnService.UTC().Format(dateLayout)
		o.DateMiseEnService = &d
	}
	return o
}

func (h *historique) out() EquipementHistoriqueOut {
	o := EquipementHistoriqueOut{
		ID: h.ID, EquipementID: h.EquipementID, NouveauStatut: StatutEquipement(h.NouveauStatut),
		Motif: h.Motif, InterventionID: h.InterventionID, UserID: h.UserID,
		Date: h.Date.UTC(),
	}
	if h.AncienStatut != nil {
		s := StatutEquipement(*h.AncienStatut)
		o.AncienStatut = &s
	}
	return o
}
