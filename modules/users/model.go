package users

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// User is a row of the users table.
type User struct {
	bun.BaseModel `bun:"table:users,alias:u"`

	ID                int64      `bun:"id,pk,autoincrement"`
	Email             string     `bun:"email,notnull"`
	EmailNormalise    string     `bun:"email_normalise,notnull"`
	Nom               string     `bun:"nom,notnull"`
	Prenom            string     `bun:"prenom,notnull"`
	Role              auth.Role  `bun:"role,notnull"`
	ClientID          *int64     `bun:"client_id"`
	Actif             bool       `bun:"actif,notnull"`
	PasswordHash      string     `bun:"password_hash,notnull"`
	DateCreation      time.Time  `bun:"date_creation,notnull"`
	DateModification  time.Time  `bun:"date_modification,notnull"`
	DerniereConnexion *time.Time `bun:"derniere_connexion"`
	Version           int        `bun:"version,notnull"`
}

// Out returns the public view of u, which never includes the password hash.
func (u *User) Out() UserOut {
	out := UserOut{
		ID: u.ID, Email: u.Email, Nom: u.Nom, Prenom: u.Prenom, Role: UserRole(u.Role),
		ClientID: u.ClientID, Actif: u.Actif, DateCreation: u.DateCreation.UTC(),
		DateModification: u.DateModification.UTC(), Version: u.Version,
	}
	if u.DerniereConnexion != nil {
		t := u.DerniereConnexion.UTC()
		out.DerniereConnexion = &t
	}
	return out
}

// ETag is the entity tag of u's current version.
func (u *User) ETag() string { return httpx.ETag(u.Version) }

// UserRole is a user's role, as the API spells it.
type UserRole string

// Enum lists the roles for the OpenAPI schema.
func (UserRole) Enum() []any {
	out := make([]any, len(auth.Roles))
	for i, r := range auth.Roles {
		out[i] = string(r)
	}
	return out
}

// UserOut is a user as the API returns it.
type UserOut struct {
	ID                int64      `json:"id" required:"true" example:"12"`
	Email             string     `json:"email" required:"true" example:"a.benali@example.com"`
	Nom               string     `json:"nom" required:"true" example:"Benali"`
	Prenom            string     `json:"prenom" required:"true" example:"Amine"`
	Role              UserRole   `json:"role" required:"true" example:"technicien"`
	ClientID          *int64     `json:"client_id" required:"true" nullable:"true"`
	Actif             bool       `json:"actif" required:"true" example:"true"`
	DateCreation      time.Time  `json:"date_creation" required:"true"`
	DateModification  time.Time  `json:"date_modification" required:"true"`
	DerniereConnexion *time.Time `json:"derniere_connexion" required:"true" nullable:"true"`
	Version           int        `json:"version" required:"true" example:"1"`
}

// UserCreate is the body of a user creation by an administrator.
type UserCreate struct {
	Email    string   `json:"email" required:"true" format:"email" example:"a.benali@example.com"`
	Nom      string   `json:"nom" required:"true" minLength:"1" maxLength:"100" example:"Benali"`
	Prenom   string   `json:"prenom" required:"true" minLength:"1" maxLength:"100" example:"Amine"`
	Role     UserRole `json:"role" required:"true" example:"technicien"`
	ClientID *int64   `json:"client_id,omitempty" description:"Pour le rôle client seulement"`
	Password string   `json:"password" required:"true" description:"Mot de passe initial"`
	Actif    *bool    `json:"actif,omitempty" default:"true"`
}

// UserUpdate is the body of a partial update by an administrator. Absent
// fields are left unchanged. Changing the role, the password or the active
// flag revokes the user's refresh tokens. ID and IfMatch come from the path
// and the If-Match header.
type UserUpdate struct {
	ID       int64     `json:"-" path:"id" description:"Identifiant de l'utilisateur"`
	IfMatch  string    `json:"-" header:"If-Match" description:"ETag de la version modifiée"`
	Email    *string   `json:"email,omitempty" format:"email"`
	Nom      *string   `json:"nom,omitempty" minLength:"1" maxLength:"100"`
	Prenom   *string   `json:"prenom,omitempty" minLength:"1" maxLength:"100"`
	Role     *UserRole `json:"role,omitempty"`
	ClientID *int64    `json:"client_id,omitempty" description:"Obligatoire pour le rôle client"`
	Actif    *bool     `json:"actif,omitempty"`
	Password *string   `json:"password,omitempty" description:"Nouveau mot de passe"`
}

// UserMeUpdate is the body of a change to one's own profile. Changing the
// e-mail address or the password requires the current password.
type UserMeUpdate struct {
	Email           *string `json:"email,omitempty" format:"email"`
	Nom             *string `json:"nom,omitempty" minLength:"1" maxLength:"100"`
	Prenom          *string `json:"prenom,omitempty" minLength:"1" maxLength:"100"`
	Password        *string `json:"password,omitempty" description:"Nouveau mot de passe"`
	CurrentPassword *string `json:"current_password,omitempty" description:"Mot de passe actuel"`
}

// UserListQuery holds the filters of the user list.
type UserListQuery struct {
	Role     UserRole `query:"role" description:"Filtrer par rôle"`
	Actif    *bool    `query:"actif" description:"Filtrer par état actif"`
	ClientID int64    `query:"client_id" description:"Filtrer par client"`
	Q        string   `query:"q" description:"Recherche dans l'e-mail, le nom et le prénom"`
	Limit    int      `query:"limit" default:"50" minimum:"1" maximum:"500"`
	Offset   int      `query:"offset" default:"0" minimum:"0"`
}

// UserPath names one user.
type UserPath struct {
	ID int64 `path:"id" description:"Identifiant de l'utilisateur"`
}

// UserETagHeader documents the ETag of an answer.
type UserETagHeader struct {
	ETag string `header:"ETag" description:"Version de la ressource"`
}

// UserListHeaders documents the paging headers of a list answer.
type UserListHeaders struct {
	TotalCount int    `header:"X-Total-Count" description:"Nombre total d'éléments"`
	Link       string `header:"Link" description:"Liens next et prev"`
}

// AuditQuery holds the filters of the audit log.
type AuditQuery struct {
	UserID     int64     `query:"user_id" description:"Auteur de l'action"`
	Action     string    `query:"action" example:"user.update"`
	Resource   string    `query:"resource" example:"users"`
	ResourceID string    `query:"resource_id" example:"12"`
	DateMin    time.Time `query:"date_min" description:"Depuis (RFC 3339, inclus)"`
	DateMax    time.Time `query:"date_max" description:"Jusqu'à (RFC 3339, inclus)"`
	Limit      int       `query:"limit" default:"50" minimum:"1" maximum:"500"`
	Offset     int       `query:"offset" default:"0" minimum:"0"`
}

// AuditEntryOut is one entry of the audit log.
type AuditEntryOut struct {
	ID         int64     `json:"id" required:"true"`
	Date       time.Time `json:"date" required:"true"`
	UserID     *int64    `json:"user_id" required:"true" nullable:"true"`
	Action     string    `json:"action" required:"true" example:"user.update"`
	Resource   string    `json:"resource" required:"true" example:"users"`
	ResourceID *string   `json:"resource_id" required:"true" nullable:"true"`
	RequestID  *string   `json:"request_id" required:"true" nullable:"true"`
	IP         *string   `json:"ip" required:"true" nullable:"true"`
	Avant      any       `json:"avant" required:"true" description:"État avant (JSON)"`
	Apres      any       `json:"apres" required:"true" description:"État après (JSON)"`
	Detail     *string   `json:"detail" required:"true" nullable:"true"`
}

func auditOut(e audit.Entry) AuditEntryOut {
	return AuditEntryOut{
		ID: e.ID, Date: e.At.UTC(), UserID: e.UserID, Action: e.Action,
		Resource: e.Resource, ResourceID: e.ResourceID, RequestID: e.RequestID, IP: e.IP,
		Avant: decodeState(e.Avant), Apres: decodeState(e.Apres), Detail: e.Detail,
	}
}

// decodeState turns a stored before/after state back into JSON; a state
// that does not decode is shown as the stored text.
func decodeState(s *string) any {
	if s == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal([]byte(*s), &v); err != nil {
		return *s
	}
	return v
}
