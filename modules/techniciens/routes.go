package techniciens

import (
	"net/http"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// technicienID is the path parameter and precondition of a deletion.
type technicienID struct {
	ID      int64  `path:"id" description:"Identifiant du technicien"`
	IfMatch string `header:"If-Match" description:"ETag lu par GET (sinon 412)"`
}

// technicienGet is the path parameter of the reads of one technician.
type technicienGet struct {
	ID int64 `path:"id" description:"Identifiant du technicien"`
}

// competenceID is the path parameter of the operations on one competence.
type competenceID struct {
	ID int64 `path:"id" description:"Identifiant de la compétence"`
}

// technicienFilter documents the list's query parameters.
type technicienFilter struct {
	Competence string `query:"competence" description:"Compétence détenue"`
	NiveauMin  int    `query:"niveau_min" minimum:"1" maximum:"4" description:"Avec competence"`
	Disponible *bool  `query:"disponible" description:"true : aucune intervention en_cours"`
	Zone       string `query:"zone" description:"Zone d'intervention exacte"`
	Actif      *bool  `query:"actif" description:"true : actifs ; false : désactivés"`
	Sort       string `query:"sort" description:"nom, prenom, zone ou date_creation"`
	Limit      int    `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset     int    `query:"offset" minimum:"0" default:"0"`
}

// competencePage documents plain paging.
type competencePage struct {
	Limit  int `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset int `query:"offset" minimum:"0" default:"0"`
}

// technicienPageHeaders documents the paging headers of the lists.
type technicienPageHeaders struct {
	Total int    `header:"X-Total-Count" description:"Nombre total d'éléments filtrés"`
	Link  string `header:"Link" description:"Pages suivante (next) et précédente (prev)"`
}

// technicienCreated documents the headers of a creation.
type technicienCreated struct {
	Location string `header:"Location" description:"URL de la ressource créée"`
}

// technicienETagHeader documents the ETag of a read or an update.
type technicienETagHeader struct {
	ETag string `header:"ETag" description:"Version du profil, à renvoyer dans If-Match"`
}

// Routes declares the module's operations.
func (m *Module) Routes(api *httpx.API) {
	m.profileRoutes(api)
	m.selfRoutes(api)
	m.heldRoutes(api)
	m.catalogueRoutes(api)
}

func (m *Module) profileRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_techniciens", Method: http.MethodGet, Path: "/techniciens/",
		Tag: "techniciens", Summary: "Lister les techniciens",
		Description: "Filtres : compétence (avec niveau minimum), disponibilité, zone, actif.",
		Permission:  auth.TechniciensRead, Request: new(technicienFilter),
		Response: new([]TechnicienOut), ResponseHeaders: new(technicienPageHeaders),
		Handler: m.list,
	})
	api.Handle(httpx.Operation{
		ID: "create_technicien", Method: http.MethodPost, Path: "/techniciens/",
		Tag: "techniciens", Summary: "Créer un profil de technicien",
		Description: "Le profil est lié à un utilisateur de rôle technicien (un seul par " +
			"utilisateur).",
		Permission: auth.TechniciensWrite, Request: new(TechnicienCreate),
		Response: new(TechnicienOut), Status: http.StatusCreated,
		ResponseDescription: "Profil créé", ResponseHeaders: new(technicienCreated),
		Errors: []int{http.StatusConflict}, Handler: m.create,
	})
	api.Handle(httpx.Operation{
		ID: "get_technicien", Method: http.MethodGet, Path: "/techniciens/{id}",
		Tag: "techniciens", Summary: "Consulter un technicien",
		Permission: auth.TechniciensRead, Request: new(technicienGet),
		Response: new(TechnicienOut), ResponseHeaders: new(technicienETagHeader),
		Errors: []int{http.StatusNotFound}, Handler: m.get,
	})
	api.Handle(httpx.Operation{
		ID: "update_technicien", Method: http.MethodPatch, Path: "/techniciens/{id}",
		Tag: "techniciens", Summary: "Modifier un technicien",
		Description: "Modification partielle ; honore If-Match (412 si périmé).",
		Permission:  auth.TechniciensWrite, Request: new(TechnicienUpdate),
		Response: new(TechnicienOut), ResponseHeaders: new(technicienETagHeader),
		Errors:  []int{http.StatusNotFound, http.StatusPreconditionFailed},
		Handler: m.update,
	})
	api.Handle(httpx.Operation{
		ID: "delete_technicien", Method: http.MethodDelete, Path: "/techniciens/{id}",
		Tag: "techniciens", Summary: "Supprimer un technicien",
		Description: "Refusé (409) quand des interventions lui sont rattachées.",
		Permission:  auth.TechniciensWrite, Request: new(technicienID),
		Status: http.StatusNoContent, ResponseDescription: "Profil supprimé",
		Errors: []int{http.StatusNotFound, http.StatusConflict,
			http.StatusPreconditionFailed},
		Handler: m.remove,
	})
}

func (m *Module) selfRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "get_my_technicien", Method: http.MethodGet, Path: "/techniciens/moi",
		Tag: "techniciens", Summary: "Consulter son propre profil de technicien",
		Permission: auth.TechniciensSelf, Response: new(TechnicienOut),
		ResponseHeaders: new(technicienETagHeader), Errors: []int{http.StatusNotFound},
		Handler: m.getMe,
	})
	api.Handle(httpx.Operation{
		ID: "update_my_technicien", Method: http.MethodPatch, Path: "/techniciens/moi",
		Tag: "techniciens", Summary: "Modifier ses coordonnées de technicien",
		Description: "Un technicien modifie son téléphone et sa zone ; le reste du " +
			"profil est géré par les responsables. Honore If-Match (412 si périmé).",
		Permission: auth.TechniciensSelf, Request: new(TechnicienContactUpdate),
		Response: new(TechnicienOut), ResponseHeaders: new(technicienETagHeader),
		Errors:  []int{http.StatusNotFound, http.StatusPreconditionFailed},
		Handler: m.updateMe,
	})
}

func (m *Module) heldRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_technicien_competences", Method: http.MethodGet,
		Path: "/techniciens/{id}/competences", Tag: "techniciens",
		Summary:    "Compétences d'un technicien",
		Permission: auth.TechniciensRead, Request: new(technicienGet),
		Response: new([]TechnicienCompetenceOut), Errors: []int{http.StatusNotFound},
		Handler: m.listHeld,
	})
	api.Handle(httpx.Operation{
		ID: "set_technicien_competences", Method: http.MethodPut,
		Path: "/techniciens/{id}/competences", Tag: "techniciens",
		Summary:     "Remplacer les compétences d'un technicien",
		Description: "La liste envoyée remplace toute la liste ; une liste vide retire tout.",
		Permission:  auth.TechniciensWrite, Request: new(TechnicienCompetences),
		Response: new([]TechnicienCompetenceOut), Errors: []int{http.StatusNotFound},
		Handler: m.setHeld,
	})
}

func (m *Module) catalogueRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_competences", Method: http.MethodGet, Path: "/techniciens/competences/",
		Tag: "techniciens", Summary: "Lister le catalogue des compétences",
		Permission: auth.TechniciensRead, Request: new(competencePage),
		Response: new([]CompetenceOut), ResponseHeaders: new(technicienPageHeaders),
		Handler: m.listCompetences,
	})
	api.Handle(httpx.Operation{
		ID: "create_competence", Method: http.MethodPost, Path: "/techniciens/competences/",
		Tag: "techniciens", Summary: "Ajouter une compétence au catalogue",
		Permission: auth.TechniciensWrite, Request: new(CompetenceCreate),
		Response: new(CompetenceOut), Status: http.StatusCreated,
		ResponseDescription: "Compétence créée", ResponseHeaders: new(technicienCreated),
		Errors: []int{http.StatusConflict}, Handler: m.createCompetence,
	})
	api.Handle(httpx.Operation{
		ID: "get_competence", Method: http.MethodGet, Path: "/techniciens/competences/{id}",
		Tag: "techniciens", Summary: "Consulter une compétence du catalogue",
		Permission: auth.TechniciensRead, Request: new(competenceID),
		Response: new(CompetenceOut), Errors: []int{http.StatusNotFound},
		Handler: m.getCompetence,
	})
	api.Handle(httpx.Operation{
		ID: "update_competence", Method: http.MethodPatch,
		Path: "/techniciens/competences/{id}", Tag: "techniciens",
		Summary:    "Renommer une compétence du catalogue",
		Permission: auth.TechniciensWrite, Request: new(CompetenceUpdate),
		Response: new(CompetenceOut), Errors: []int{http.StatusNotFound},
		Handler: m.updateCompetence,
	})
	api.Handle(httpx.Operation{
		ID: "delete_competence", Method: http.MethodDelete,
		Path: "/techniciens/competences/{id}", Tag: "techniciens",
		Summary:     "Retirer une compétence du catalogue",
		Description: "Refusé (409) tant que des techniciens la détiennent.",
		Permission:  auth.TechniciensWrite, Request: new(competenceID),
		Status: http.StatusNoContent, ResponseDescription: "Compétence retirée",
		Errors: []int{http.StatusNotFound, http.StatusConflict}, Handler: m.deleteCompetence,
	})
}
