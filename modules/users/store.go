package users

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

// errStale is returned when a row changed since the caller read it.
var errStale = errors.New("user changed concurrently")

// listFilter chooses users.
type listFilter struct {
	Role     auth.Role
	Actif    *bool
	ClientID int64
	Q        string
}

// scoped restricts q to what p may see. Staff see every user; a user bound
// to a client organisation sees only its own account, so anything else
// reads as not found.
func scoped(q *bun.SelectQuery, p *auth.Principal) *bun.SelectQuery {
	if scope := p.ClientScope(); scope != 0 {
		q.Where("u.id = ?", p.UserID).Where("u.client_id = ?", scope)
	}
	return q
}

// get returns the user id as p may see it, or httpx.ErrNotFound.
func get(ctx context.Context, idb bun.IDB, p *auth.Principal, id int64) (*User, error) {
	u := new(User)
	err := scoped(idb.NewSelect().Model(u), p).Where("u.id = ?", id).Scan(ctx)
	if isNoRows(err) {
		return nil, httpx.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read user %d: %w", id, err)
	}
	return u, nil
}

// list returns a page of the users p may see and how many match in all.
func list(ctx context.Context, idb bun.IDB, p *auth.Principal, f listFilter,
	page httpx.Page) ([]User, int, error) {
	var us []User
	q := scoped(idb.NewSelect().Model(&us), p).Order("u.id").
		Limit(int64(page.Limit)).Offset(int64(page.Offset))
	if f.Role != "" {
		q.Where("u.role = ?", f.Role)
	}
	if f.Actif != nil {
		q.Where("u.actif = ?", *f.Actif)
	}
	if f.ClientID != 0 {
		q.Where("u.client_id = ?", f.ClientID)
	}
	if f.Q != "" {
		like := db.ContainsPattern(f.Q)
		q.WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
			return q.Where("u.email_normalise LIKE ? ESCAPE '\\'", like).
				WhereOr("LOWER(u.nom) LIKE ? ESCAPE '\\'", like).
				WhereOr("LOWER(u.prenom) LIKE ? ESCAPE '\\'", like)
		})
	}
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list users: %w", err)
	}
	return us, int(total), nil
}

// insert stores a new user and sets its id.
func insert(ctx context.Context, idb bun.IDB, u *User) error {
	if _, err := idb.NewInsert().Model(u).Returning("id").Exec(ctx); err != nil {
		if db.IsUniqueViolation(err) {
			return errEmailTaken
		}
		return fmt.Errorf("insert user: %w", err)
	}
	return nil
}

// update writes u over the row at version u.Version-1, failing with errStale
// when someone else wrote it in between.
func update(ctx context.Context, idb bun.IDB, u *User) error {
	res, err := idb.NewUpdate().Model(u).
		Column("email", "email_normalise", "nom", "prenom", "role", "client_id", "actif",
			"password_hash", "date_modification", "version").
		WherePK().Where("version = ?", u.Version-1).Exec(ctx)
	if err != nil {
		if db.IsUniqueViolation(err) {
			return errEmailTaken
		}
		return fmt.Errorf("update user %d: %w", u.ID, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return errStale
	}
	return nil
}

// byEmail returns the user with that address, compared without case.
func byEmail(ctx context.Context, idb bun.IDB, email string) (*User, error) {
	u := new(User)
	err := idb.NewSelect().Model(u).Where("u.email_normalise = ?", auth.NormaliseEmail(email)).
		Scan(ctx)
	if err != nil {
		return nil, err
	}
	return u, nil
}

// byID returns the user id, unscoped: for sign-in and the guard.
func byID(ctx context.Context, idb bun.IDB, id int64) (*User, error) {
	u := new(User)
	if err := idb.NewSelect().Model(u).Where("u.id = ?", id).Scan(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

// markSignedIn stamps derniere_connexion without touching the version:
// signing in is not an edit of the account.
func markSignedIn(ctx context.Context, idb bun.IDB, id int64, at time.Time) error {
	_, err := idb.NewUpdate().Table("users").Set("derniere_connexion = ?", at.UTC()).
		Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("record sign-in of user %d: %w", id, err)
	}
	return nil
}
