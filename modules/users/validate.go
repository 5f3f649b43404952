package users

import (
	"context"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// ClientsService is the service the clients module publishes. When it is
// absent, any positive client id is accepted.
const ClientsService = "clients.service"

// clientChecker is what this module needs of the clients module.
type clientChecker interface {
	Exists(ctx context.Context, db bun.IDB, id int64) (bool, error)
}

// fieldErrors collects the bad fields of one request.
type fieldErrors []httpx.FieldError

func (f *fieldErrors) add(name, kind, msg string) {
	*f = append(*f, httpx.Field(name, kind, msg))
}

func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return httpx.Invalid(f...)
}

func (f *fieldErrors) email(name, v string) {
	v = strings.TrimSpace(v)
	a, err := mail.ParseAddress(v)
	switch {
	case v == "":
		f.add(name, "missing", "adresse e-mail obligatoire")
	case len(v) > 254:
		f.add(name, "string_too_long", "254 caractères au plus")
	case err != nil || a.Address != v || !strings.Contains(v, "@"):
		f.add(name, "value_error", "adresse e-mail invalide")
	}
}

func (f *fieldErrors) name(field, v string) {
	n := utf8.RuneCountInString(strings.TrimSpace(v))
	switch {
	case n == 0:
		f.add(field, "missing", "champ obligatoire")
	case n > 100:
		f.add(field, "string_too_long", "100 caractères au plus")
	}
}

func (f *fieldErrors) password(field, v string, minLen int) {
	switch {
	case utf8.RuneCountInString(v) < minLen:
		f.add(field, "string_too_short", "au moins "+strconv.Itoa(minLen)+" caractères")
	case len(v) > auth.MaxPasswordBytes:
		f.add(field, "string_too_long",
			strconv.Itoa(auth.MaxPasswordBytes)+" octets au plus")
	}
}

func (f *fieldErrors) role(field string, r auth.Role) bool {
	if r.Valid() {
		return true
	}
	f.add(field, "enum", "rôle inconnu (admin, responsable, technicien ou client)")
	return false
}

// clientFor checks the client id against the role: required and existing
// for role client, absent for every other role.
func (s *Service) clientFor(ctx context.Context, f *fieldErrors, role auth.Role,
	clientID *int64) error {
	if role != auth.RoleClient {
		if clientID != nil {
			f.add("client_id", "value_error", "réservé au rôle client")
		}
		return nil
	}
	if clientID == nil {
		f.add("client_id", "missing", "obligatoire pour le rôle client")
		return nil
	}
	if *clientID <= 0 {
		f.add("client_id", "value_error", "identifiant de client invalide")
		return nil
	}
	ok, err := s.clientExists(ctx, *clientID)
	if err != nil {
		return err
	}
	if !ok {
		f.add("client_id", "not_found", "client inconnu")
	}
	return nil
}

// clientExists asks the clients module, looked up when needed since it
// starts after this one.
//
// Limitation: without the clients module (not enabled, or not built yet)
// any positive id is accepted, and nothing in the database ties
// users.client_id to a client row.
func (s *Service) clientExists(ctx context.Context, id int64) (bool, error) {
	v, ok := s.services.Lookup(ClientsService)
	if !ok {
		return true, nil
	}
	c, ok := v.(clientChecker)
	if !ok {
		return false, fmt.Errorf("service %q is a %T without Exists", ClientsService, v)
	}
	exists, err := c.Exists(ctx, s.db, id)
	if err != nil {
		return false, fmt.Errorf("check client %d: %w", id, err)
	}
	return exists, nil
}
