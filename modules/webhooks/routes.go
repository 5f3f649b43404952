package webhooks

import (
	"net/http"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/idempotency"
)

// tag is the contract's tag of the module's operations.
const tag = "notifications"

// webhookPath is the path parameter of the operations on one subscription.
type webhookPath struct {
	ID int64 `path:"id" description:"Identifiant de l'abonnement"`
}

// webhookPageQuery documents the paging parameters of the lists.
type webhookPageQuery struct {
	Limit  int `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset int `query:"offset" minimum:"0" default:"0"`
}

// webhookLivraisonsQuery is the input of the delivery log.
type webhookLivraisonsQuery struct {
	ID     int64 `path:"id" description:"Identifiant de l'abonnement"`
	Limit  int   `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset int   `query:"offset" minimum:"0" default:"0"`
}

// webhookReplayPath names the delivery to replay.
type webhookReplayPath struct {
	ID             int64  `path:"id" description:"Identifiant de l'abonnement"`
	LivraisonID    int64  `path:"livraison_id" description:"Livraison à rejouer"`
	IdempotencyKey string `header:"Idempotency-Key" description:"Rejoue la première réponse"`
}

// webhookPageHeaders documents the paging headers of the lists.
type webhookPageHeaders struct {
	Total int    `header:"X-Total-Count" description:"Nombre total d'éléments"`
	Link  string `header:"Link" description:"Pages suivante (next) et précédente (prev)"`
}

// webhookCreatedHeaders documents the headers of a creation.
type webhookCreatedHeaders struct {
	Location string `header:"Location" description:"URL de l'abonnement créé"`
}

const (
	permissionNote = " Permission : webhooks:manage."
	createNote     = "Le secret de signature est généré s'il est absent et n'est renvoyé " +
		"que dans cette réponse. Chaque livraison est un POST JSON signé : en-tête " +
		"X-ERP-Signature = sha256=HMAC-SHA256(secret, « horodatage.corps ») en hexadécimal, " +
		"horodatage dans X-ERP-Timestamp, identifiant stable de l'événement dans " +
		"X-ERP-Event-ID. Les URL doivent être en https en production ; les adresses " +
		"locales, privées, de lien local, non spécifiées ou multicast sont refusées."
	typesNote = " types_evenements : « intervention.closed », « intervention.* » ou « * »."
)

// Routes declares the module's operations.
func (m *Module) Routes(api *httpx.API) {
	m.subscriptionRoutes(api)
	m.deliveryRoutes(api)
}

func (m *Module) subscriptionRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_webhooks", Method: http.MethodGet, Path: "/webhooks/", Tag: tag,
		Summary: "Lister les abonnements webhook", Description: "Liste paginée." +
			permissionNote,
		Permission: auth.WebhooksManage, Request: new(webhookPageQuery),
		Response:        new([]WebhookOut),
		ResponseHeaders: new(webhookPageHeaders), Handler: m.list,
	})
	// Limitation: create_webhook ignores Idempotency-Key: storing its answer
	// for replays would keep a second copy of the secret.
	api.Handle(httpx.Operation{
		ID: "create_webhook", Method: http.MethodPost, Path: "/webhooks/", Tag: tag,
		Summary: "Créer un abonnement webhook", Description: createNote + typesNote +
			permissionNote,
		Permission: auth.WebhooksManage, Request: new(WebhookCreate),
		Response: new(WebhookOut), Status: http.StatusCreated,
		ResponseDescription: "Abonnement créé, avec son secret",
		ResponseHeaders:     new(webhookCreatedHeaders), Handler: m.create,
	})
	api.Handle(httpx.Operation{
		ID: "get_webhook", Method: http.MethodGet, Path: "/webhooks/{id}", Tag: tag,
		Summary: "Consulter un abonnement webhook", Description: "Le secret n'est jamais " +
			"renvoyé." + permissionNote,
		Permission: auth.WebhooksManage, Request: new(webhookPath), Response: new(WebhookOut),
		Errors: []int{http.StatusNotFound}, Handler: m.get,
	})
	api.Handle(httpx.Operation{
		ID: "update_webhook", Method: http.MethodPatch, Path: "/webhooks/{id}", Tag: tag,
		Summary: "Modifier un abonnement webhook", Description: "Modification partielle ; " +
			"actif=false suspend les livraisons, client_id=0 retire le filtre." + typesNote +
			permissionNote,
		Permission: auth.WebhooksManage, Request: new(WebhookUpdate), Response: new(WebhookOut),
		Errors: []int{http.StatusNotFound}, Handler: m.update,
	})
	api.Handle(httpx.Operation{
		ID: "delete_webhook", Method: http.MethodDelete, Path: "/webhooks/{id}", Tag: tag,
		Summary: "Supprimer un abonnement webhook", Description: "Supprime aussi son " +
			"journal de livraisons ; les livraisons en attente sont abandonnées." +
			permissionNote,
		Permission: auth.WebhooksManage, Request: new(webhookPath),
		Status: http.StatusNoContent, ResponseDescription: "Abonnement supprimé",
		Errors: []int{http.StatusNotFound}, Handler: m.remove,
	})
}

func (m *Module) deliveryRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_webhook_livraisons", Method: http.MethodGet,
		Path: "/webhooks/{id}/livraisons", Tag: tag,
		Summary: "Journal des livraisons d'un abonnement",
		Description: "Livraisons les plus récentes d'abord, chacune avec ses tentatives " +
			"(code HTTP, durée, erreur)." + permissionNote,
		Permission: auth.WebhooksManage, Request: new(webhookLivraisonsQuery),
		Response: new([]LivraisonOut), ResponseHeaders: new(webhookPageHeaders),
		Errors: []int{http.StatusNotFound}, Handler: m.livraisons,
	})
	api.Handle(httpx.Operation{
		ID: "replay_webhook_livraison", Method: http.MethodPost,
		Path: "/webhooks/{id}/livraisons/{livraison_id}/rejouer", Tag: tag,
		Summary: "Rejouer une livraison",
		Description: "Met en file une nouvelle livraison du même événement (même " +
			"identifiant, même corps), signée à nouveau. 409 si l'abonnement est désactivé." +
			permissionNote,
		Permission: auth.WebhooksManage, Request: new(webhookReplayPath),
		Response: new(LivraisonOut),
		Status:   http.StatusAccepted, ResponseDescription: "Livraison mise en file",
		Errors: []int{http.StatusNotFound, http.StatusConflict,
			http.StatusUnprocessableEntity},
		Handler: idempotency.Wrap(m.db, m.replay),
	})
}
