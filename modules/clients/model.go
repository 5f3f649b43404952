package clients

import (
	"time"

	"github.com/uptrace/bun"
)

// client is a row of the clients table.
type client struct {
	bun.BaseModel `bun:"table:clients"`

	ID               int64     `bun:"id,pk,autoincrement"`
	Nom              string    `bun:"nom,notnull"`
	Code             string    `bun:"code,notnull"`
	Adresse          *string   `bun:"adresse"`
	CodePostal       *string   `bun:"code_postal"`
	Ville            *string   `bun:"ville"`
	Pays             *string   `bun:"pays"`
	ContactNom       *string   `bun:"contact_nom"`
	Telephone        *string   `bun:"telephone"`
	Email            *string   `bun:"email"`
	Actif            bool      `bun:"actif,notnull"`
	DateCreation     time.Time `bun:"date_creation,notnull"`
	DateModification time.Time `bun:"date_modification,notnull"`
	Version          int       `bun:"version,notnull"`
}

// codePattern is what a client code may contain; it is stored upper-cased.
const codePattern = `^[A-Za-z0-9][A-Za-z0-9_-]*$`

// ClientCreate is the body of a client creation. The code is unique and
// stored upper-cased; a new client is active unless actif says otherwise.
type ClientCreate struct {
	Nom  string `json:"nom" required:"true" minLength:"2" maxLength:"255" example:"SCP"`
	Code string `json:"code" required:"true" minLength:"2" maxLength:"50" example:"SCP-CASA"`

	Adresse    *string `json:"adresse,omitempty" maxLength:"500" description:"Adresse postale"`
	CodePostal *string `json:"code_postal,omitempty" maxLength:"20" example:"20250"`
	Ville      *string `json:"ville,omitempty" maxLength:"100" example:"Casablanca"`
	Pays       *string `json:"pays,omitempty" maxLength:"100" example:"Maroc"`
	ContactNom *string `json:"contact_nom,omitempty" maxLength:"200" description:"Contact"`
	Telephone  *string `json:"telephone,omitempty" maxLength:"30" example:"+212 522 00 11 22"`
	Email      *string `json:"email,omitempty" maxLength:"254" format:"email"`
	Actif      *bool   `json:"actif,omitempty" default:"true" description:"Client actif"`
}

// ClientUpdate is the body of a partial client update. An absent or null
// field is left unchanged; an empty string clears an optional field;
// actif=false deactivates the client.
type ClientUpdate struct {
	ID      int64  `json:"-" path:"id" description:"Identifiant du client"`
	IfMatch string `json:"-" header:"If-Match" description:"ETag lu par GET (sinon 412)"`

	Nom        *string `json:"nom,omitempty" minLength:"2" maxLength:"255"`
	Code       *string `json:"code,omitempty" minLength:"2" maxLength:"50"`
	Adresse    *string `json:"adresse,omitempty" maxLength:"500"`
	CodePostal *string `json:"code_postal,omitempty" maxLength:"20"`
	Ville      *string `json:"ville,omitempty" maxLength:"100"`
	Pays       *string `json:"pays,omitempty" maxLength:"100"`
	ContactNom *string `json:"contact_nom,omitempty" maxLength:"200"`
	Telephone  *string `json:"telephone,omitempty" maxLength:"30"`
	Email      *string `json:"email,omitempty" maxLength:"254" format:"email"`
	Actif      *bool   `json:"actif,omitempty" description:"false désactive le client"`
}

// ClientOut is a client as the API returns it. Version is the resource's
// version, which the ETag header repeats.
type ClientOut struct {
	ID               int64     `json:"id" required:"true" example:"101"`
	Nom              string    `json:"nom" required:"true" example:"SCP"`
	Code             string    `json:"code" required:"true" example:"SCP-CASA"`
	Adresse          *string   `json:"adresse"`
	CodePostal       *string   `json:"code_postal" example:"20250"`
	Ville            *string   `json:"ville" example:"Casablanca"`
	Pays             *string   `json:"pays" example:"Maroc"`
	ContactNom       *string   `json:"contact_nom"`
	Telephone        *string   `json:"telephone"`
	Email            *string   `json:"email" format:"email"`
	Actif            bool      `json:"actif" required:"true"`
	DateCreation     time.Time `json:"date_creation" required:"true"`
	DateModification time.Time `json:"date_modification" required:"true"`
	Version          int       `json:"version" required:"true" example:"1"`
}

func (c *client) out() ClientOut {
	return ClientOut{
		ID: c.ID, Nom: c.Nom, Code: c.Code, Adresse: c.Adresse, CodePostal: c.CodePostal,
		Ville: c.Ville, Pays: c.Pays, ContactNom: c.ContactNom, Telephone: c.Telephone,
		Email: c.Email, Actif: c.Actif, DateCreation: c.DateCreation.UTC(),
		DateModification: c.DateModification.UTC(), Version: c.Version,
	}
}
