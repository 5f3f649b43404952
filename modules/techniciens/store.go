package techniciens

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	coredb "github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

// listQuery is a parsed list request.
type listQuery struct {
	competence string
	niveauMin  int
	zone       string
	actif      *bool
	// busy, when set, keeps (busyIn) or drops (!busyIn) these technicians.
	busy   []int64
	busyIn *bool
	order  string
	page   httpx.Page
}

// heldCompetence is a competence a technician holds, with its catalogue
// code and label.
type heldCompetence struct {
	Code           string     `bun:"code"`
	Libelle        string     `bun:"libelle"`
	Niveau         int        `bun:"niveau"`
	DateExpiration *time.Time `bun:"date_expiration"`
}

// competenceFilter keeps technicians holding a competence at a minimum
// level and not expired today.
const competenceFilter = "EXISTS (SELECT 1 FROM technicien_competences AS tc " +
	"JOIN competences AS c ON c.id = tc.competence_id " +
	"WHERE tc.technicien_id = t.id AND c.code = ? AND tc.niveau >= ? " +
	"AND (tc.date_expiration IS NULL OR tc.date_expiration >= ?))"

func notFound(what string, id int64, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %d: %w", what, id, httpx.ErrNotFound)
	}
	return fmt.Errorf("read %s %d: %w", what, id, err)
}

// getTechnicien reads one profile by id.
func getTechnicien(ctx context.Context, db bun.IDB, id int64) (*technicien, error) {
	t := new(technicien)
	if err := db.NewSelect().Model(t).Where("t.id = ?", id).Scan(ctx); err != nil {
		return nil, notFound("technicien", id, err)
	}
	return t, nil
}

// technicienOfUser reads the profile of a user.
func technicienOfUser(ctx context.Context, db bun.IDB, userID int64) (*technicien, error) {
	t := new(technicien)
	if err := db.NewSelect().Model(t).Where("t.user_id = ?", userID).Scan(ctx); err != nil {
		return nil, notFound("technicien of user", userID, err)
	}
	return t, nil
}

// listTechniciens returns one page of profiles and the total matching.
func listTechniciens(ctx context.Context, db bun.IDB, lq listQuery) ([]technicien, int,
	error) {
	var rows []technicien
	q := db.NewSelect().Model(&rows)
	if lq.competence != "" {
		q = q.Where(competenceFilter, lq.competence, lq.niveauMin, today())
	}
	if lq.zone != "" {
		q = q.Where("t.zone = ?", lq.zone)
	}
	if lq.actif != nil {
		q = q.Where("t.actif = ?", *lq.actif)
	}
	q = whereBusy(q, lq)
	q = q.OrderExpr(lq.order).Limit(int64(lq.page.Limit)).Offset(int64(lq.page.Offset))
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list techniciens: %w", err)
	}
	return rows, int(total), nil
}

func whereBusy(q *bun.SelectQuery, lq listQuery) *bun.SelectQuery {
	switch {
	case lq.busyIn == nil:
		return q
	case *lq.busyIn && len(lq.busy) == 0:
		return q.Where("1 = 0")
	case *lq.busyIn:
		return q.Where("t.id IN (?)", bun.In(lq.busy))
	case len(lq.busy) > 0:
		return q.Where("t.id NOT IN (?)", bun.In(lq.busy))
	}
	return q
}

// userRole reads a user's role from the users table.
//
// This module reads a table the users module owns. That is acceptable here:
// the read is of two columns whose meaning the users module's migrations
// fix (the guard's user-state loader relies on the same), techniciens lists
// users as a requirement and references users(id) by foreign key, and the
// users module publishes no look-up service that answers "which role has
// this user". Nothing here ever writes to that table.
func userRole(ctx context.Context, db bun.IDB, userID int64) (string, bool, error) {
	var role string
	err := db.NewSelect().Table("users").Column("role").Where("id = ?", userID).
		Scan(ctx, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read role of user %d: %w", userID, err)
	}
	return role, true, nil
}

// updateTechnicien writes t if its stored version is still prev. It
// reports false when another write got there first.
func updateTechnicien(ctx context.Context, db bun.IDB, t *technicien, prev int) (bool, error) {
	ok, err := coredb.UpdateIfVersion(ctx, db, t, prev)
	if err != nil {
		return false, fmt.Errorf("update technicien %d: %w", t.ID, err)
	}
	return ok, nil
}

// heldCompetences lists what a technician holds, by code.
func heldCompetences(ctx context.Context, db bun.IDB, id int64) ([]heldCompetence, error) {
	var rows []heldCompetence
	err := db.NewSelect().TableExpr("technicien_competences AS tc").
		Join("JOIN competences AS c ON c.id = tc.competence_id").
		ColumnExpr("c.code, c.libelle, tc.niveau, tc.date_expiration").
		Where("tc.technicien_id = ?", id).OrderExpr("c.code ASC").Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("list competences of technicien %d: %w", id, err)
	}
	return rows, nil
}

// competenceIDs maps the catalogue codes among codes to their ids.
func competenceIDs(ctx context.Context, db bun.IDB, codes []string) (map[string]int64,
	error) {
	ids := map[string]int64{}
	if len(codes) == 0 {
		return ids, nil
	}
	var rows []competence
	err := db.NewSelect().Model(&rows).Where("c.code IN (?)", bun.In(codes)).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("read competences: %w", err)
	}
	for _, r := range rows {
		ids[r.Code] = r.ID
	}
	return ids, nil
}

// replaceHeld replaces every competence of technician id with rows.
func replaceHeld(ctx context.Context, db bun.IDB, id int64, rows []held) error {
	_, err := db.NewDelete().Model((*held)(nil)).Where("technicien_id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("clear competences of technicien %d: %w", id, err)
	}
	if len(rows) == 0 {
		return nil
	}
	if _, err := db.NewInsert().Model(&rows).Exec(ctx); err != nil {
		return fmt.Errorf("insert competences of technicien %d: %w", id, err)
	}
	return nil
}

// getCompetence reads one catalogue entry.
func getCompetence(ctx context.Context, db bun.IDB, id int64) (*competence, error) {
	c := new(competence)
	if err := db.NewSelect().Model(c).Where("c.id = ?", id).Scan(ctx); err != nil {
		return nil, notFound("competence", id, err)
	}
	return c, nil
}

// listCompetences returns one page of the catalogue, by code, and its size.
func listCompetences(ctx context.Context, db bun.IDB, page httpx.Page) ([]competence, int,
	error) {
	var rows []competence
	total, err := db.NewSelect().Model(&rows).OrderExpr("c.code ASC").
		Limit(int64(page.Limit)).Offset(int64(page.Offset)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list competences: %w", err)
	}
	return rows, int(total), nil
}
