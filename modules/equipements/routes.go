package equipements

import (
	"net/http"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// equipementID is the path parameter and precondition of a deletion.
type equipementID struct {
	ID      int64  `path:"id" description:"Identifiant de l'équipement"`
	IfMatch string `header:"If-Match" description:"ETag lu par GET (sinon 412)"`
}

// equipementGet is the path parameter of a read.
type equipementGet struct {
	ID int64 `path:"id" description:"Identifiant de l'équipement"`
}

// equipementHistoriquePage is the path parameter and paging of the history.
type equipementHistoriquePage struct {
	ID     int64 `path:"id" description:"Identifiant de l'équipement"`
	Limit  int   `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset int   `query:"offset" minimum:"0" default:"0"`
}

// equipementFilter documents the list's query parameters.
type equipementFilter struct {
	ClientID  int64  `query:"client_id" description:"Équipements de ce client"`
	Statut    string `query:"statut" description:"Un ou plusieurs statuts (virgules)"`
	Categorie string `query:"categorie" description:"Catégorie exacte"`
	Criticite string `query:"criticite" description:"Une ou plusieurs criticités (virgules)"`
	Q         string `query:"q" description:"Texte cherché dans le nom et le numéro de série"`
	Sort      string `query:"sort" description:"Tri : nom, numero_serie, date_creation…"`
	Limit     int    `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset    int    `query:"offset" minimum:"0" default:"0"`
}

// equipementPageHeaders documents the paging headers of the lists.
type equipementPageHeaders struct {
	Total int    `header:"X-Total-Count" description:"Nombre total d'éléments filtrés"`
	Link  string `header:"Link" description:"Pages suivante (next) et précédente (prev)"`
}

// equipementCreated documents the headers of a creation.
type equipementCreated struct {
	Location string `header:"Location" description:"URL de l'équipement créé"`
	ETag     string `header:"ETag" description:"Version de l'équipement"`
}

// equipementETagHeader documents the ETag of a read or an update.
type equipementETagHeader struct {
	ETag string `header:"ETag" description:"Version, à renvoyer dans If-Match"`
}

const scopeNote = "Un utilisateur client ne voit que les équipements de son organisation."

// Routes declares the module's operations.
func (m *Module) Routes(api *httpx.API) {
	m.readRoutes(api)
	m.writeRoutes(api)
}

func (m *Module) readRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_equipements", Method: http.MethodGet, Path: "/equipements/",
		Tag: "equipements", Summary: "Lister les équipements",
		Description: "Liste paginée, filtrable et triable. " + scopeNote,
		Permission:  auth.EquipementsRead, Request: new(equipementFilter),
		Response: new([]EquipementOut), ResponseHeaders: new(equipementPageHeaders),
		Handler: m.list,
	})
	api.Handle(httpx.Operation{
		ID: "get_equipement", Method: http.MethodGet, Path: "/equipements/{id}",
		Tag: "equipements", Summary: "Consulter un équipement", Description: scopeNote,
		Permission: auth.EquipementsRead, Request: new(equipementGet),
		Response: new(EquipementOut), ResponseHeaders: new(equipementETagHeader),
		Errors: []int{http.StatusNotFound}, Handler: m.get,
	})
	api.Handle(httpx.Operation{
		ID: "get_equipement_historique", Method: http.MethodGet,
		Path: "/equipements/{id}/historique", Tag: "equipements",
		Summary:     "Historique des statuts d'un équipement",
		Description: "Chaque changement de statut, du plus ancien au plus récent. " + scopeNote,
		Permission:  auth.EquipementsRead, Request: new(equipementHistoriquePage),
		Response: new([]EquipementHistoriqueOut), ResponseHeaders: new(equipementPageHeaders),
		Errors: []int{http.StatusNotFound}, Handler: m.historique,
	})
}

func (m *Module) writeRoutes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "create_equipement", Method: http.MethodPost, Path: "/equipements/",
		Tag: "equipements", Summary: "Créer un équipement",
		Description: "Le numéro de série est unique pour un client (409 sinon).",
		Permission:  auth.EquipementsWrite, Request: new(EquipementCreate),
		Response: new(EquipementOut), Status: http.StatusCreated,
		ResponseDescription: "Équipement créé", ResponseHeaders: new(equipementCreated),
		Errors: []int{http.StatusConflict}, Handler: m.create,
	})
	api.Handle(httpx.Operation{
		ID: "update_equipement", Method: http.MethodPatch, Path: "/equipements/{id}",
		Tag: "equipements", Summary: "Modifier un équipement",
		Description: "Modification partielle. Un changement de statut (avec un motif " +
			"facultatif) est inscrit à l'historique. Honore If-Match (412 si périmé).",
		Permission: auth.EquipementsWrite, Request: new(EquipementUpdate),
		Response: new(EquipementOut), ResponseHeaders: new(equipementETagHeader),
		Errors: []int{http.StatusNotFound, http.StatusConflict,
			http.StatusPreconditionFailed},
		Handler: m.update,
	})
	api.Handle(httpx.Operation{
		ID: "delete_equipement", Method: http.MethodDelete, Path: "/equipements/{id}",
		Tag: "equipements", Summary: "Supprimer un équipement",
		Description: "Refusé (409) quand des interventions portent sur l'équipement.",
		Permission:  auth.EquipementsWrite, Request: new(equipementID),
		Status: http.StatusNoContent, ResponseDescription: "Équipement supprimé",
		Errors: []int{http.StatusNotFound, http.StatusConflict,
			http.StatusPreconditionFailed},
		Handler: m.remove,
	})
}
