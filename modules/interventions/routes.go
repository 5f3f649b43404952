package interventions

import (
	"net/http"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/idempotency"
)

const tag = "interventions"

// Routes declares the module's operations. The workflow's are generated
// from the workflow table, one per step.
func (m *Module) Routes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "create_intervention", Method: http.MethodPost, Path: "/interventions/", Tag: tag,
		Summary:     "Créer une nouvelle intervention",
		Description: "Crée une nouvelle intervention de maintenance avec les détails fournis.",
		Permission:  auth.InterventionsCreate,
		Request:     new(InterventionCreate), Response: new(InterventionOut),
		Status: http.StatusCreated, ResponseDescription: "Intervention créée avec succès",
		ResponseHeaders: new(InterventionCreatedHeaders),
		Errors:          []int{http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
		Handler:         idempotency.Wrap(m.db, m.handleCreate),
	})
	api.Handle(httpx.Operation{
		ID: "list_interventions", Method: http.MethodGet, Path: "/interventions/", Tag: tag,
		Summary: "Lister les interventions",
		Description: "Filtres combinables ; un client ne voit que les interventions de son " +
			"organisation, un technicien celles qui lui sont affectées.",
		Permission: auth.InterventionsRead, Request: new(InterventionQuery),
		Response: []InterventionOut{}, ResponseHeaders: new(InterventionListHeaders),
		Handler: m.handleList,
	})
	m.itemRoutes(api)
	m.workflowRoutes(api)
	m.historyRoutes(api)
}

func (m *Module) itemRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "get_intervention", Method: http.MethodGet, Path: "/interventions/{id}", Tag: tag,
		Summary: "Consulter une intervention", Permission: auth.InterventionsRead,
		Request: new(InterventionRef), Response: new(InterventionOut),
		ResponseHeaders: new(InterventionETagHeader), Errors: []int{http.StatusNotFound},
		Handler: m.handleGet,
	})
	api.Handle(httpx.Operation{
		ID: "update_intervention", Method: http.MethodPatch, Path: "/interventions/{id}",
		Tag: tag, Summary: "Modifier une intervention",
		Description: "Modifie titre, description, priorité, urgence, date planifiée, " +
			"compétences requises ou extensions. Le statut ne change que par les actions " +
			"du workflow. Avec If-Match, répond 412 si l'intervention a changé depuis sa " +
			"lecture. Les plugins du client peuvent refuser des champs (400) ; un plugin " +
			"indisponible répond 503.",
		Permission: auth.InterventionsUpdate, Request: new(InterventionUpdate),
		Response: new(InterventionOut), ResponseHeaders: new(InterventionETagHeader),
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusPreconditionFailed,
			http.StatusServiceUnavailable},
		Handler: m.handleUpdate,
	})
}

func (m *Module) workflowRoutes(api *httpx.API) {
	for _, s := range workflow {
		api.Handle(httpx.Operation{
			ID: s.OperationID, Method: http.MethodPost,
			Path: "/interventions/{id}/" + string(s.Action), Tag: tag, Summary: s.Summary,
			Description: stepDescription(s), Permission: s.Permission,
			Request: s.Body(), Response: new(InterventionOut),
			ResponseHeaders: new(InterventionETagHeader),
			Errors: []int{http.StatusNotFound, http.StatusConflict,
				http.StatusUnprocessableEntity, http.StatusServiceUnavailable},
			Handler: idempotency.Wrap(m.db, m.handleStep(s)),
		})
	}
}

// stepDescription documents a step from its row of the workflow table.
func stepDescription(s step) string {
	from := make([]string, len(s.From))
	for i, f := range s.From {
		from[i] = string(f)
	}
	d := "Transition " + joinFrench(from) + " → " + string(s.To) + "."
	switch s.Actor {
	case assignedTechnicien:
		d += " Un technicien n'agit que sur une intervention qui lui est affectée."
	case clientWhileOpen:
		d += " Un client n'annule que ses interventions encore ouvertes."
	}
	if s.Equipement != "" {
		d += " L'équipement passe « " + s.Equipement + " »."
	}
	return d + " Une transition impossible répond 409 avec le statut actuel et les " +
		"actions autorisées ; un plugin du client qui la refuse répond 409 avec son motif " +
		"et son nom (plugin), un plugin indisponible 503."
}

func joinFrench(xs []string) string {
	out := ""
	for i, x := range xs {
		switch {
		case i == 0:
		case i == len(xs)-1:
			out += " ou "
		default:
			out += ", "
		}
		out += x
	}
	return out
}

func (m *Module) historyRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_intervention_history", Method: http.MethodGet,
		Path: "/interventions/{id}/historique", Tag: tag,
		Summary:    "Historique des transitions d'une intervention",
		Permission: auth.InterventionsRead, Request: new(InterventionRef),
		Response: []HistoriqueOut{}, Errors: []int{http.StatusNotFound},
		Handler: m.handleHistorique,
	})
	api.Handle(httpx.Operation{
		ID: "create_intervention_comment", Method: http.MethodPost,
		Path: "/interventions/{id}/commentaires", Tag: tag,
		Summary:    "Commenter une intervention",
		Permission: auth.InterventionsComment, Request: new(CommentaireCreate),
		Response: new(CommentaireOut), Status: http.StatusCreated,
		Errors:  []int{http.StatusNotFound, http.StatusUnprocessableEntity},
		Handler: idempotency.Wrap(m.db, m.handleComment),
	})
	api.Handle(httpx.Operation{
		ID: "list_intervention_comments", Method: http.MethodGet,
		Path: "/interventions/{id}/commentaires", Tag: tag,
		Summary:    "Lister les commentaires d'une intervention",
		Permission: auth.InterventionsRead, Request: new(InterventionRef),
		Response: []CommentaireOut{}, ResponseHeaders: new(InterventionListHeaders),
		Errors: []int{http.StatusNotFound}, Handler: m.handleCommentaires,
	})
}
