package users

import (
	"context"
	"errors"
	"log/slog"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
)

// The demo administrator of the dev profile: the credentials of the API
// contract's example.
const (
	DemoAdminEmail    = "admin@example.com"
	DemoAdminPassword = "admin123"
)

// seedDemoAdmin creates the demo administrator unless an account with its
// address exists, whatever state that account is in: a changed password or
// a deactivation made by hand is never undone. Its password is shorter than
// auth.password_min_length may require; it is the only account allowed to
// be, because it is only ever created in the dev profile.
func (s *Service) seedDemoAdmin(ctx context.Context) error {
	_, err := byEmail(ctx, s.db, DemoAdminEmail)
	if err == nil {
		return nil
	}
	if !isNoRows(err) {
		return err
	}
	hash, err := s.hasher.Hash(ctx, DemoAdminPassword)
	if err != nil {
		return err
	}
	now := s.now()
	u := &User{Email: DemoAdminEmail, EmailNormalise: DemoAdminEmail, Nom: "Admin",
		Prenom: "Démo", Role: auth.RoleAdmin, Actif: true, PasswordHash: hash,
		DateCreation: now, DateModification: now, Version: 1}
	err = s.insertAudited(ctx, u, "compte de démonstration (profil dev)")
	var conflict *httpx.Error
	if errors.As(err, &conflict) {
		return nil // another process seeded it first
	}
	if err != nil {
		return err
	}
	s.log.Warn("created the demo administrator; never use the dev profile in production",
		slog.String("email", DemoAdminEmail))
	return nil
}
