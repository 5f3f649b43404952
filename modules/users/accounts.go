package users

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
)

var _ auth.Accounts = (*Service)(nil)

// AccountByEmail implements auth.Accounts.
func (s *Service) AccountByEmail(ctx context.Context, db bun.IDB,
	email string) (auth.Account, error) {
	u, err := byEmail(ctx, db, email)
	return account(u, err)
}

// AccountByID implements auth.Accounts.
// Outside a transaction it uses the prepared read, as the token check's
// GET /auth/me does on every call.
func (s *Service) AccountByID(ctx context.Context, db bun.IDB, id int64) (auth.Account, error) {
	if db == bun.IDB(s.db) && s.byID != nil {
		u := new(User)
		return account(u, s.byID.Scan(ctx, u, id))
	}
	u, err := byID(ctx, db, id)
	return account(u, err)
}

// MarkSignedIn implements auth.Accounts.
func (s *Service) MarkSignedIn(ctx context.Context, db bun.IDB, id int64, at time.Time) error {
	return markSignedIn(ctx, db, id, at)
}

func account(u *User, err error) (auth.Account, error) {
	if isNoRows(err) {
		return auth.Account{}, auth.ErrNoAccount
	}
	if err != nil {
		return auth.Account{}, fmt.Errorf("read account: %w", err)
	}
	a := auth.Account{ID: u.ID, Email: u.Email, Nom: u.Nom, Prenom: u.Prenom, Role: u.Role,
		Active: u.Actif, PasswordHash: u.PasswordHash}
	if u.ClientID != nil {
		a.ClientID = *u.ClientID
	}
	return a, nil
}

// loadState is the guard's auth.StateLoader: one indexed read of three
// columns, run at most once per user per cache period.
func (s *Service) loadState(ctx context.Context, id int64) (auth.UserState, bool, error) {
	var row struct {
		Actif    bool   `bun:"actif"`
		Role     string `bun:"role"`
		ClientID *int64 `bun:"client_id"`
	}
	err := s.db.NewSelect().Table("users").Column("actif", "role", "client_id").
		Where("id = ?", id).Scan(ctx, &row)
	if isNoRows(err) {
		return auth.UserState{}, false, nil
	}
	if err != nil {
		return auth.UserState{}, false, fmt.Errorf("read state of user %d: %w", id, err)
	}
	st := auth.UserState{Active: row.Actif, Role: auth.Role(row.Role)}
	if row.ClientID != nil {
		st.ClientID = *row.ClientID
	}
	return st, true, nil
}
