package webhooks

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"
)

// The states of a delivery.
const (
	// StatutEnAttente is a delivery queued or waiting for its next attempt.
	StatutEnAttente = "en_attente"
	// StatutReussie is a delivery the receiver accepted with a 2xx answer.
	StatutReussie = "reussie"
	// StatutEchouee is a delivery that used all its attempts, or that can
	// never succeed (forbidden address, subscription deactivated).
	StatutEchouee = "echouee"
)

// webhook is a row of the webhooks table: one integrator's subscription.
//
// Limitation: the secret is stored in clear, because signing needs it;
// whoever reads the database can forge signatures. Encrypting it with a
// key from the configuration would close that.
type webhook struct {
	bun.BaseModel `bun:"table:webhooks"`

	ID               int64     `bun:"id,pk,autoincrement"`
	URL              string    `bun:"url,notnull"`
	Secret           string    `bun:"secret,notnull"`
	Types            string    `bun:"types_evenements,notnull"` // JSON array
	ClientID         *int64    `bun:"client_id"`
	Actif            bool      `bun:"actif,notnull"`
	DateCreation     time.Time `bun:"date_creation,notnull"`
	DateModification time.Time `bun:"date_modification,notnull"`
}

// types decodes the stored list of event type patterns.
func (w *webhook) types() []string {
	var out []string
	_ = json.Unmarshal([]byte(w.Types), &out)
	return out
}

// out is the subscription as the API shows it, without its secret.
func (w *webhook) out() WebhookOut {
	return WebhookOut{ID: w.ID, URL: w.URL, TypesEvenements: w.types(), ClientID: w.ClientID,
		Actif: w.Actif, DateCreation: w.DateCreation, DateModification: w.DateModification}
}

// livraison is a row of webhook_livraisons: one event to deliver to one
// subscription. Corps is the exact body sent at every attempt, so retries
// and replays carry the same event id and content.
type livraison struct {
	bun.BaseModel `bun:"table:webhook_livraisons"`

	ID               int64      `bun:"id,pk,autoincrement"`
	WebhookID        int64      `bun:"webhook_id,notnull"`
	EventID          string     `bun:"evenement_id,notnull"`
	EventType        string     `bun:"type_evenement,notnull"`
	Corps            string     `bun:"corps,notnull"`
	Statut           string     `bun:"statut,notnull"`
	Tentatives       int        `bun:"nombre_tentatives,notnull"`
	RejeuDe          *int64     `bun:"rejeu_de"`
	DateCreation     time.Time  `bun:"date_creation,notnull"`
	DateModification time.Time  `bun:"date_modification,notnull"`
	DateLivraison    *time.Time `bun:"date_livraison"`
}

// tentative is a row of webhook_tentatives: one attempt of a delivery.
type tentative struct {
	bun.BaseModel `bun:"table:webhook_tentatives"`

	ID          int64     `bun:"id,pk,autoincrement"`
	LivraisonID int64     `bun:"livraison_id,notnull"`
	Numero      int       `bun:"numero,notnull"`
	CodeHTTP    *int      `bun:"code_http"`
	DureeMS     int64     `bun:"duree_ms,notnull"`
	Erreur      *string   `bun:"erreur"`
	Date        time.Time `bun:"date_tentative,notnull"`
}

// WebhookCreate is the body of a subscription. Without a secret, one is
// generated and returned once, in the creation's answer. A new subscription
// is active unless actif says otherwise.
type WebhookCreate struct {
	URL             string   `json:"url" required:"true" maxLength:"2048" format:"uri"`
	Secret          *string  `json:"secret,omitempty" minLength:"16" maxLength:"256"`
	TypesEvenements []string `json:"types_evenements" required:"true" minItems:"1"`
	ClientID        *int64   `json:"client_id,omitempty" minimum:"1"`
	Actif           *bool    `json:"actif,omitempty" default:"true"`
}

// WebhookUpdate is the body of a partial update of a subscription. An
// absent field is left unchanged; client_id=0 removes the client filter.
type WebhookUpdate struct {
	ID int64 `json:"-" path:"id" description:"Identifiant de l'abonnement"`

	URL             *string  `json:"url,omitempty" maxLength:"2048" format:"uri"`
	Secret          *string  `json:"secret,omitempty" minLength:"16" maxLength:"256"`
	TypesEvenements []string `json:"types_evenements,omitempty" minItems:"1"`
	ClientID        *int64   `json:"client_id,omitempty" minimum:"0"`
	Actif           *bool    `json:"actif,omitempty"`
}

// WebhookOut is a subscription as the API returns it. Secret is present
// only in the answer of the creation: it is never shown again.
type WebhookOut struct {
	ID               int64     `json:"id" required:"true" example:"3"`
	URL              string    `json:"url" required:"true" format:"uri"`
	Secret           string    `json:"secret,omitempty"`
	TypesEvenements  []string  `json:"types_evenements" required:"true"`
	ClientID         *int64    `json:"client_id"`
	Actif            bool      `json:"actif" required:"true"`
	DateCreation     time.Time `json:"date_creation" required:"true"`
	DateModification time.Time `json:"date_modification" required:"true"`
}

// LivraisonOut is one delivery of an event to a subscription, with its
// attempts, oldest first. RejeuDe names the delivery a replay repeats.
type LivraisonOut struct {
	ID            int64  `json:"id" required:"true" example:"42"`
	WebhookID     int64  `json:"webhook_id" required:"true" example:"3"`
	EvenementID   string `json:"evenement_id" required:"true" format:"uuid"`
	TypeEvenement string `json:"type_evenement" required:"true"`

	// Statut is en_attente until the delivery succeeds or fails for good.
	Statut string `json:"statut" required:"true" enum:"en_attente,reussie,echouee"`

	NombreTentatives int            `json:"nombre_tentatives" required:"true"`
	RejeuDe          *int64         `json:"rejeu_de"`
	DateCreation     time.Time      `json:"date_creation" required:"true"`
	DateLivraison    *time.Time     `json:"date_livraison"`
	Tentatives       []TentativeOut `json:"tentatives" required:"true"`
}

// TentativeOut is one attempt of a delivery: the receiver's HTTP status
// (null when no answer came), how long it took and what went wrong.
type TentativeOut struct {
	Numero   int       `json:"numero" required:"true" example:"1"`
	CodeHTTP *int      `json:"code_http" example:"500"`
	DureeMS  int64     `json:"duree_ms" required:"true" example:"120"`
	Erreur   *string   `json:"erreur"`
	Date     time.Time `json:"date" required:"true"`
}

func (l *livraison) out(attempts []tentative) LivraisonOut {
	o := LivraisonOut{ID: l.ID, WebhookID: l.WebhookID, EvenementID: l.EventID,
		TypeEvenement: l.EventType, Statut: l.Statut, NombreTentatives: l.Tentatives,
		RejeuDe: l.RejeuDe, DateCreation: l.DateCreation, DateLivraison: l.DateLivraison,
		Tentatives: make([]TentativeOut, len(attempts))}
	for i, a := range attempts {
		o.Tentatives[i] = TentativeOut{Numero: a.Numero, CodeHTTP: a.CodeHTTP,
			DureeMS: a.DureeMS, Erreur: a.Erreur, Date: a.Date}
	}
	return o
}

// Body is the JSON body POSTed to a receiver. ID is the event's stable id:
// a retry or a replay of one event carries the same one, so receivers can
// recognise a repeat.
type Body struct {
	ID          string          `json:"id"`
	Type        string          `json:"type"`
	Date        time.Time       `json:"date"`
	ClientID    *int64          `json:"client_id"`
	Ressource   string          `json:"ressource"`
	RessourceID string          `json:"ressource_id"`
	Donnees     json.RawMessage `json:"donnees"`
}
