package notifications

import (
	"time"

	"github.com/swaggest/jsonschema-go"
	"github.com/uptrace/bun"
)

// Notification types: the events users hear about, and the two the
// periodic checks raise. Users choose their channels per type.
const (
	TypeAssigned  = "intervention.assigned"
	TypeCreated   = "intervention.created"
	TypeClosed    = "intervention.closed"
	TypeSuspended = "intervention.suspension_prolongee"
	TypeReminder  = "intervention.rappel_planification"
)

// notificationTypes lists the types in the order the preferences show them.
var notificationTypes = []string{TypeAssigned, TypeCreated, TypeClosed, TypeSuspended,
	TypeReminder}

// notification is a row of the notifications table.
type notification struct {
	bun.BaseModel `bun:"table:notifications,alias:n"`

	ID            int64      `bun:"id,pk,autoincrement"`
	UserID        int64      `bun:"user_id"`
	TypeEvenement string     `bun:"type_evenement"`
	Titre         string     `bun:"titre"`
	Message       string     `bun:"message"`
	Ressource     string     `bun:"ressource"`
	RessourceID   *int64     `bun:"ressource_id"`
	Cle           string     `bun:"cle"`
	Lue           bool       `bun:"lue"`
	DateCreation  time.Time  `bun:"date_creation"`
	DateLecture   *time.Time `bun:"date_lecture"`
}

func (n *notification) out() NotificationOut {
	o := NotificationOut{ID: n.ID, TypeEvenement: n.TypeEvenement, Titre: n.Titre,
		Message: n.Message, Ressource: n.Ressource, RessourceID: n.RessourceID, Lue: n.Lue,
		DateCreation: n.DateCreation.UTC()}
	if n.DateLecture != nil {
		t := n.DateLecture.UTC()
		o.DateLecture = &t
	}
	return o
}

// NotificationOut is an in-app notification as the API returns it, and
// the data of a notification event on the stream.
type NotificationOut struct {
	ID            int64      `json:"id" required:"true" example:"42"`
	TypeEvenement string     `json:"type_evenement" required:"true" example:"intervention.assigned"`
	Titre         string     `json:"titre" required:"true" example:"Nouvelle intervention affectée"`
	Message       string     `json:"message" required:"true"`
	Ressource     string     `json:"ressource" required:"true" example:"intervention"`
	RessourceID   *int64     `json:"ressource_id" required:"true" nullable:"true" example:"12"`
	Lue           bool       `json:"lue" required:"true" example:"false"`
	DateCreation  time.Time  `json:"date_creation" required:"true"`
	DateLecture   *time.Time `json:"date_lecture" required:"true" nullable:"true"`
}

// PrepareJSONSchema describes the fields and drops the int64 format, as
// the contract's schemas do.
func (NotificationOut) PrepareJSONSchema(s *jsonschema.Schema) error {
	describe(s, map[string]string{
		"type_evenement": "Type d'événement à l'origine de la notification",
		"titre":          "Titre court",
		"message":        "Texte de la notification",
		"ressource":      "Type de la ressource concernée",
		"ressource_id":   "Identifiant de la ressource concernée",
		"lue":            "Vrai une fois la notification lue",
		"date_creation":  "Date de création (UTC)",
		"date_lecture":   "Date de lecture (UTC), null si non lue",
	})
	return nil
}

// CompteurOut is the number of unread notifications.
type CompteurOut struct {
	NonLues int `json:"non_lues" required:"true" example:"3" description:"Notifications non lues"`
}

// MarquageOut is the answer of mark-all-read.
type MarquageOut struct {
	Marquees int `json:"marquees" required:"true" example:"3" description:"Nombre marquées lues"`
}

// TicketOut is a stream ticket: single use, short-lived, to pass as
// ?ticket= to the stream, since EventSource cannot send headers.
type TicketOut struct {
	Ticket         string    `json:"ticket" required:"true" example:"k3J9…"`
	DateExpiration time.Time `json:"date_expiration" required:"true"`
}

// CanauxType are the channels a user chose for one notification type.
type CanauxType struct {
	TypeEvenement string `json:"type_evenement" required:"true" example:"intervention.assigned"`
	InApp         bool   `json:"in_app" required:"true" example:"true"`
	Email         bool   `json:"email" required:"true" example:"false"`
}

// PrepareJSONSchema lists the notification types.
func (CanauxType) PrepareJSONSchema(s *jsonschema.Schema) error {
	if p, ok := s.Properties["type_evenement"]; ok && p.TypeObject != nil {
		values := make([]any, len(notificationTypes))
		for i, t := range notificationTypes {
			values[i] = t
		}
		p.TypeObject.WithEnum(values...)
	}
	return nil
}

// PreferencesOut are a user's notification preferences: their language and
// their channels for every notification type.
type PreferencesOut struct {
	Langue string       `json:"langue" required:"true" enum:"fr,en" example:"fr"`
	Canaux []CanauxType `json:"canaux" required:"true"`
}

// PreferencesUpdate changes the language and/or the channels of the types
// it lists; the other types keep theirs.
type PreferencesUpdate struct {
	Langue string       `json:"langue,omitempty" enum:"fr,en" example:"en"`
	Canaux []CanauxType `json:"canaux,omitempty" maxItems:"20"`
}

// notificationFilter documents the list's query parameters.
type notificationFilter struct {
	NonLues bool `query:"non_lues" description:"true : seulement les non lues"`
	Limit   int  `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset  int  `query:"offset" minimum:"0" default:"0"`
}

// notificationRef names one notification in a path.
type notificationRef struct {
	ID int64 `path:"id" minimum:"1" description:"Identifiant de la notification"`
}

// streamQuery documents the stream's parameters.
type streamQuery struct {
	Ticket      string `query:"ticket" description:"Ticket de flux (POST /notifications/ticket)"`
	LastEventID string `header:"Last-Event-ID" description:"Dernier id reçu : renvoie la suite"`
}

// pageHeaders documents the paging headers of the list.
type pageHeaders struct {
	Total int    `header:"X-Total-Count" description:"Nombre total de notifications filtrées"`
	Link  string `header:"Link" description:"Pages suivante (next) et précédente (prev)"`
}

func describe(s *jsonschema.Schema, texts map[string]string) {
	for name, text := range texts {
		if p, ok := s.Properties[name]; ok && p.TypeObject != nil {
			p.TypeObject.WithDescription(text)
		}
	}
	for _, p := range s.Properties {
		if t := p.TypeObject; t != nil && t.Format != nil && *t.Format == "int64" {
			t.Format = nil
		}
	}
}
