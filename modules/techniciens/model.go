package techniciens

import (
	"time"

	"github.com/uptrace/bun"
)

// technicien is a row of the techniciens table.
type technicien struct {
	bun.BaseModel `bun:"table:techniciens,alias:t"`

	ID               int64     `bun:"id,pk,autoincrement"`
	UserID           int64     `bun:"user_id,notnull"`
	Nom              string    `bun:"nom,notnull"`
	Prenom           string    `bun:"prenom,notnull"`
	Telephone        *string   `bun:"telephone"`
	Zone             *string   `bun:"zone"`
	Actif            bool      `bun:"actif,notnull"`
	DateCreation     time.Time `bun:"date_creation,notnull"`
	DateModification time.Time `bun:"date_modification,notnull"`
	Version          int       `bun:"version,notnull"`
}

// competence is a row of the competences catalogue.
type competence struct {
	bun.BaseModel `bun:"table:competences,alias:c"`

	ID      int64  `bun:"id,pk,autoincrement"`
	Code    string `bun:"code,notnull"`
	Libelle string `bun:"libelle,notnull"`
}

// held is a row of technicien_competences.
type held struct {
	bun.BaseModel `bun:"table:technicien_competences,alias:tc"`

	TechnicienID   int64      `bun:"technicien_id,pk"`
	CompetenceID   int64      `bun:"competence_id,pk"`
	Niveau         int        `bun:"niveau,notnull"`
	DateExpiration *time.Time `bun:"date_expiration"`
}

// TechnicienCreate is the body of a profile creation. user_id names an
// existing user with role technicien who has no profile yet.
type TechnicienCreate struct {
	UserID    int64   `json:"user_id" required:"true" minimum:"1" example:"42"`
	Nom       string  `json:"nom" required:"true" minLength:"1" maxLength:"100" example:"Alaoui"`
	Prenom    string  `json:"prenom" required:"true" minLength:"1" maxLength:"100" example:"Omar"`
	Telephone *string `json:"telephone,omitempty" maxLength:"30" example:"+212 661 00 00 00"`
	Zone      *string `json:"zone,omitempty" maxLength:"100" example:"Casablanca"`
	Actif     *bool   `json:"actif,omitempty" default:"true" description:"Technicien actif"`
}

// TechnicienUpdate is the body of a partial profile update by a manager.
// An absent or null field is left unchanged; an empty string clears an
// optional field.
type TechnicienUpdate struct {
	ID      int64  `json:"-" path:"id" description:"Identifiant du technicien"`
	IfMatch string `json:"-" header:"If-Match" description:"ETag lu par GET (sinon 412)"`

	Nom       *string `json:"nom,omitempty" minLength:"1" maxLength:"100"`
	Prenom    *string `json:"prenom,omitempty" minLength:"1" maxLength:"100"`
	Telephone *string `json:"telephone,omitempty" maxLength:"30"`
	Zone      *string `json:"zone,omitempty" maxLength:"100"`
	Actif     *bool   `json:"actif,omitempty"`
}

// TechnicienContactUpdate is what technicians may change on their own
// profile: their contact fields.
type TechnicienContactUpdate struct {
	IfMatch string `json:"-" header:"If-Match" description:"ETag lu par GET (sinon 412)"`

	Telephone *string `json:"telephone,omitempty" maxLength:"30" example:"+212 661 00 00 00"`
	Zone      *string `json:"zone,omitempty" maxLength:"100" example:"Rabat"`
}

// TechnicienOut is a technician profile as the API returns it.
type TechnicienOut struct {
	ID               int64     `json:"id" required:"true" example:"789"`
	UserID           int64     `json:"user_id" required:"true" example:"42"`
	Nom              string    `json:"nom" required:"true" example:"Alaoui"`
	Prenom           string    `json:"prenom" required:"true" example:"Omar"`
	Telephone        *string   `json:"telephone" example:"+212 661 00 00 00"`
	Zone             *string   `json:"zone" example:"Casablanca"`
	Actif            bool      `json:"actif" required:"true"`
	DateCreation     time.Time `json:"date_creation" required:"true"`
	DateModification time.Time `json:"date_modification" required:"true"`
	Version          int       `json:"version" required:"true" example:"1"`
}

// CompetenceCreate is the body of a catalogue entry's creation.
type CompetenceCreate struct {
	Code    string `json:"code" required:"true" minLength:"2" maxLength:"50" example:"soudure"`
	Libelle string `json:"libelle" required:"true" minLength:"2" maxLength:"255"`
}

// CompetenceUpdate renames a catalogue entry; its code never changes, since
// interventions refer to it.
type CompetenceUpdate struct {
	ID      int64  `json:"-" path:"id" description:"Identifiant de la compétence"`
	Libelle string `json:"libelle" required:"true" minLength:"2" maxLength:"255"`
}

// CompetenceOut is a catalogue entry.
type CompetenceOut struct {
	ID      int64  `json:"id" required:"true" example:"3"`
	Code    string `json:"code" required:"true" example:"soudure"`
	Libelle string `json:"libelle" required:"true" example:"Soudure à l'arc"`
}

// TechnicienCompetenceIn is one competence held: its catalogue code, the
// level from 1 (notions) to 4 (expert) and an optional expiry date.
type TechnicienCompetenceIn struct {
	Competence     string  `json:"competence" required:"true" example:"soudure"`
	Niveau         int     `json:"niveau" required:"true" minimum:"1" maximum:"4" example:"3"`
	DateExpiration *string `json:"date_expiration,omitempty" format:"date" example:"2027-06-30"`
}

// TechnicienCompetences replaces the whole list of a technician's
// competences.
type TechnicienCompetences struct {
	ID          int64                    `json:"-" path:"id" description:"Identifiant"`
	Competences []TechnicienCompetenceIn `json:"competences" required:"true"`
}

// TechnicienCompetenceOut is one competence a technician holds. expiree
// says whether date_expiration is already past.
type TechnicienCompetenceOut struct {
	Competence     string  `json:"competence" required:"true" example:"soudure"`
	Libelle        string  `json:"libelle" required:"true" example:"Soudure à l'arc"`
	Niveau         int     `json:"niveau" required:"true" minimum:"1" maximum:"4" example:"3"`
	DateExpiration *string `json:"date_expiration" format:"date" example:"2027-06-30"`
	Expiree        bool    `json:"expiree" required:"true"`
}

// dateLayout is the wire form of calendar dates.
const dateLayout = "2006-01-02"

func (t *technicien) out() TechnicienOut {
	return TechnicienOut{
		ID: t.ID, UserID: t.UserID, Nom: t.Nom, Prenom: t.Prenom, Telephone: t.Telephone,
		Zone: t.Zone, Actif: t.Actif, DateCreation: t.DateCreation.UTC(),
		DateModification: t.DateModification.UTC(), Version: t.Version,
	}
}

func (c *competence) out() CompetenceOut {
	return CompetenceOut{ID: c.ID, Code: c.Code, Libelle: c.Libelle}
}
