package notifications

import (
	"net/http"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

const (
	tag      = "notifications"
	ownNote  = "Chaque utilisateur ne voit que ses propres notifications."
	typeNote = "Types : intervention.assigned, intervention.created (urgente), " +
		"intervention.closed, intervention.suspension_prolongee, " +
		"intervention.rappel_planification."
)

// streamDescription documents the stream, which authenticates itself.
const streamDescription = "Flux Server-Sent Events des nouvelles notifications de " +
	"l'utilisateur (événements `notification`, dont l'id est celui de la notification ; " +
	"données : NotificationOut). Authentification : en-tête `Authorization: Bearer` ou " +
	"paramètre `ticket` (obtenu par POST /notifications/ticket, à usage unique), car " +
	"EventSource ne peut pas envoyer d'en-tête. Reprise : `Last-Event-ID` renvoie les " +
	"notifications manquées. Une ligne de commentaire est envoyée régulièrement pour " +
	"garder la connexion ouverte. Permission : notifications:read."

// Routes declares the module's operations.
func (m *Module) Routes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_notifications", Method: http.MethodGet, Path: "/notifications/", Tag: tag,
		Summary: "Lister mes notifications", Description: "Plus récentes d'abord. " + ownNote,
		Permission: auth.NotificationsRead, Request: new(notificationFilter),
		Response: new([]NotificationOut), ResponseHeaders: new(pageHeaders), Handler: m.list,
	})
	api.Handle(httpx.Operation{
		ID: "count_unread_notifications", Method: http.MethodGet,
		Path: "/notifications/compteur", Tag: tag,
		Summary:    "Compter mes notifications non lues",
		Permission: auth.NotificationsRead, Response: new(CompteurOut), Handler: m.count,
	})
	api.Handle(httpx.Operation{
		ID: "mark_notification_read", Method: http.MethodPost,
		Path: "/notifications/{id}/lue", Tag: tag, Summary: "Marquer une notification lue",
		Description: ownNote, Permission: auth.NotificationsRead,
		Request: new(notificationRef), Response: new(NotificationOut),
		Errors: []int{http.StatusNotFound}, Handler: m.markOne,
	})
	api.Handle(httpx.Operation{
		ID: "mark_all_notifications_read", Method: http.MethodPost, Path: "/notifications/lues",
		Tag: tag, Summary: "Marquer toutes mes notifications lues",
		Permission: auth.NotificationsRead, Response: new(MarquageOut), Handler: m.markAll,
	})
	m.streamRoutes(api)
	m.preferenceRoutes(api)
}

// streamRoutes declares the ticket and the stream. The stream is declared
// public because a ticket replaces the bearer token there; the handler
// authenticates every request itself.
//
// Limitation: httpx.Operation cannot say "bearer token or ticket", so the
// spec marks the stream as needing no token (its description says what it
// needs) and its 200 answer has no text/event-stream media type.
func (m *Module) streamRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "create_notification_stream_ticket", Method: http.MethodPost,
		Path: "/notifications/ticket", Tag: tag,
		Summary: "Obtenir un ticket pour le flux temps réel",
		Description: "Ticket à usage unique et de courte durée, à passer en paramètre " +
			"`ticket` du flux.",
		Permission: auth.NotificationsRead, Response: new(TicketOut),
		Status: http.StatusCreated, Handler: m.ticket,
	})
	api.Handle(httpx.Operation{
		ID: "stream_notifications", Method: http.MethodGet, Path: "/notifications/stream",
		Tag: tag, Summary: "Recevoir mes notifications en temps réel (SSE)",
		Description: streamDescription, Public: true, Request: new(streamQuery),
		ResponseDescription: "Flux text/event-stream",
		Errors:              []int{http.StatusUnauthorized, http.StatusForbidden},
		Handler:             m.stream,
	})
}

func (m *Module) preferenceRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "get_notification_preferences", Method: http.MethodGet,
		Path: "/notifications/preferences", Tag: tag,
		Summary:     "Lire mes préférences de notification",
		Description: "Langue (fr, en) et canaux (in_app, email) par type. " + typeNote,
		Permission:  auth.NotificationsRead, Response: new(PreferencesOut),
		Handler: m.getPreferences,
	})
	api.Handle(httpx.Operation{
		ID: "update_notification_preferences", Method: http.MethodPut,
		Path: "/notifications/preferences", Tag: tag,
		Summary: "Modifier mes préférences de notification",
		Description: "Les types absents gardent leurs canaux. Par défaut : in_app activé, " +
			"email désactivé. " + typeNote,
		Permission: auth.NotificationsRead, Request: new(PreferencesUpdate),
		Response: new(PreferencesOut), Handler: m.putPreferences,
	})
}
