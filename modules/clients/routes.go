package clients

import (
	"net/http"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// clientID is the path parameter of the operations on one client.
type clientID struct {
	ID      int64  `path:"id" description:"Identifiant du client"`
	IfMatch string `header:"If-Match" description:"ETag lu par GET (sinon 412)"`
}

// clientGet is the path parameter of the read of one client.
type clientGet struct {
	ID int64 `path:"id" description:"Identifiant du client"`
}

// clientFilter documents the list's query parameters.
type clientFilter struct {
	Q      string `query:"q" description:"Texte cherché dans le nom et le code"`
	Actif  *bool  `query:"actif" description:"true : clients actifs ; false : désactivés"`
	Sort   string `query:"sort" enum:"nom,-nom,code,-code,date_creation,-date_creation"`
	Limit  int    `query:"limit" minimum:"1" maximum:"500" default:"50"`
	Offset int    `query:"offset" minimum:"0" default:"0"`
}

// clientPageHeaders documents the paging headers of the list.
type clientPageHeaders struct {
	Total int    `header:"X-Total-Count" description:"Nombre total de clients filtrés"`
	Link  string `header:"Link" description:"Pages suivante (next) et précédente (prev)"`
}

// clientCreated documents the headers of a creation.
type clientCreated struct {
	Location string `header:"Location" description:"URL du client créé"`
	ETag     string `header:"ETag" description:"Version du client"`
}

// clientETagHeader documents the ETag of a read or an update.
type clientETagHeader struct {
	ETag string `header:"ETag" description:"Version du client, à renvoyer dans If-Match"`
}

const scopeNote = "Un utilisateur client ne voit que sa propre organisation."

// Routes declares the module's operations.
func (m *Module) Routes(api *httpx.API) {
	api.Handle(httpx.Operation{
		ID: "list_clients", Method: http.MethodGet, Path: "/clients/", Tag: "clients",
		Summary: "Lister les clients", Description: "Liste paginée, filtrable et triable. " +
			scopeNote,
		Permission: auth.ClientsRead, Request: new(clientFilter), Response: new([]ClientOut),
		ResponseHeaders: new(clientPageHeaders), Handler: m.list,
	})
	api.Handle(httpx.Operation{
		ID: "create_client", Method: http.MethodPost, Path: "/clients/", Tag: "clients",
		Summary: "Créer un client", Permission: auth.ClientsWrite,
		Request: new(ClientCreate), Response: new(ClientOut), Status: http.StatusCreated,
		ResponseDescription: "Client créé", ResponseHeaders: new(clientCreated),
		Errors: []int{http.StatusConflict}, Handler: m.create,
	})
	api.Handle(httpx.Operation{
		ID: "get_client", Method: http.MethodGet, Path: "/clients/{id}", Tag: "clients",
		Summary: "Consulter un client", Description: scopeNote,
		Permission: auth.ClientsRead, Request: new(clientGet), Response: new(ClientOut),
		ResponseHeaders: new(clientETagHeader), Errors: []int{http.StatusNotFound}, Handler: m.get,
	})
	api.Handle(httpx.Operation{
		ID: "update_client", Method: http.MethodPatch, Path: "/clients/{id}", Tag: "clients",
		Summary: "Modifier un client",
		Description: "Modification partielle ; actif=false désactive le client. " +
			"Honore If-Match (412 si la version est périmée).",
		Permission: auth.ClientsWrite, Request: new(ClientUpdate), Response: new(ClientOut),
		ResponseHeaders: new(clientETagHeader),
		Errors: []int{http.StatusNotFound, http.StatusConflict,
			http.StatusPreconditionFailed},
		Handler: m.update,
	})
	api.Handle(httpx.Operation{
		ID: "delete_client", Method: http.MethodDelete, Path: "/clients/{id}", Tag: "clients",
		Summary: "Supprimer un client",
		Description: "Refusé (409) tant que le client a des interventions ou des " +
			"équipements : désactivez-le plutôt.",
		Permission: auth.ClientsWrite, Request: new(clientID), Status: http.StatusNoContent,
		ResponseDescription: "Client supprimé",
		Errors: []int{http.StatusNotFound, http.StatusConflict,
			http.StatusPreconditionFailed},
		Handler: m.remove,
	})
}
