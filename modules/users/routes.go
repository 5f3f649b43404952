package users

import (
	"net/http"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// Routes declares the module's operations.
//
// Limitation: create_user does not honour Idempotency-Key yet, and user
// changes publish no domain events; both kernel services were being built
// alongside this module.
func (m *Module) Routes(api *httpx.API) {
	h := &handler{svc: m.svc}
	for _, op := range []httpx.Operation{
		{ID: "list_users", Method: http.MethodGet, Path: "/users/", Tag: "users",
			Summary:     "Lister les utilisateurs",
			Description: "Un utilisateur d'un client ne voit que son propre compte.",
			Permission:  auth.UsersRead, Request: new(UserListQuery), Response: []UserOut{},
			ResponseHeaders: new(UserListHeaders), Handler: h.list},
		{ID: "create_user", Method: http.MethodPost, Path: "/users/", Tag: "users",
			Summary: "Créer un utilisateur", Permission: auth.UsersWrite,
			Request: new(UserCreate), Response: new(UserOut), Status: http.StatusCreated,
			ResponseDescription: "Utilisateur créé avec succès",
			Errors:              []int{http.StatusConflict}, Handler: h.create},
		{ID: "get_my_profile", Method: http.MethodGet, Path: "/users/me", Tag: "users",
			Summary: "Consulter son propre profil", Response: new(UserOut), Handler: h.me},
		{ID: "update_my_profile", Method: http.MethodPatch, Path: "/users/me", Tag: "users",
			Summary: "Modifier son propre profil",
			Description: "Changer d'adresse e-mail ou de mot de passe demande le mot de " +
				"passe actuel ; un nouveau mot de passe révoque les jetons de rafraîchissement.",
			Request: new(UserMeUpdate), Response: new(UserOut),
			Errors: []int{http.StatusConflict}, Handler: h.updateMe},
		{ID: "get_user", Method: http.MethodGet, Path: "/users/{id}", Tag: "users",
			Summary: "Consulter un utilisateur", Permission: auth.UsersRead,
			Request: new(UserPath), Response: new(UserOut), ResponseHeaders: new(UserETagHeader),
			Errors: []int{http.StatusNotFound}, Handler: h.get},
		{ID: "update_user", Method: http.MethodPatch, Path: "/users/{id}", Tag: "users",
			Summary: "Modifier un utilisateur",
			Description: "Changer le rôle, le mot de passe ou l'état actif révoque les " +
				"jetons de rafraîchissement de l'utilisateur.",
			Permission: auth.UsersWrite, Request: new(UserUpdate), Response: new(UserOut),
			ResponseHeaders: new(UserETagHeader),
			Errors: []int{http.StatusNotFound, http.StatusConflict,
				http.StatusPreconditionFailed},
			Handler: h.update},
		{ID: "deactivate_user", Method: http.MethodDelete, Path: "/users/{id}", Tag: "users",
			Summary:     "Désactiver un utilisateur",
			Description: "Le compte est conservé, désactivé ; ses jetons sont révoqués.",
			Permission:  auth.UsersWrite, Request: new(UserPath), Status: http.StatusNoContent,
			Errors:  []int{http.StatusNotFound, http.StatusConflict},
			Handler: h.deactivate},
		{ID: "list_audit_entries", Method: http.MethodGet, Path: "/audit/", Tag: "users",
			Summary:    "Consulter le journal d'audit",
			Permission: auth.AuditRead, Request: new(AuditQuery), Response: []AuditEntryOut{},
			ResponseHeaders: new(UserListHeaders), Handler: h.audit},
	} {
		api.Handle(op)
	}
}
