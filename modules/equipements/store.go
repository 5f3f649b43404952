package equipements

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	coredb "github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

// listQuery is a parsed list request.
type listQuery struct {
	clientID   int64
	statuts    []string
	criticites []string
	categorie  string
	q          string
	order      string
	page       httpx.Page
	scope      int64
}

// getEquipement reads one piece of equipment within the caller's client
// scope (0 = any client).
func getEquipement(ctx context.Context, db bun.IDB, id, scope int64) (*equipement, error) {
	e := new(equipement)
	q := db.NewSelect().Model(e).Where("id = ?", id)
	if scope != 0 {
		q = q.Where("client_id = ?", scope)
	}
	if err := q.Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("equipement %d: %w", id, httpx.ErrNotFound)
		}
		return nil, fmt.Errorf("read equipement %d: %w", id, err)
	}
	return e, nil
}

// listEquipements returns one page of equipment and the total matching.
func listEquipements(ctx context.Context, db bun.IDB, lq listQuery) ([]equipement, int,
	error) {
	var rows []equipement
	q := db.NewSelect().Model(&rows)
	if lq.scope != 0 {
		q = q.Where("client_id = ?", lq.scope)
	}
	if lq.clientID != 0 {
		q = q.Where("client_id = ?", lq.clientID)
	}
	if len(lq.statuts) > 0 {
		q = q.Where("statut IN (?)", bun.In(lq.statuts))
	}
	if len(lq.criticites) > 0 {
		q = q.Where("criticite IN (?)", bun.In(lq.criticites))
	}
	if lq.categorie != "" {
		q = q.Where("categorie = ?", lq.categorie)
	}
	if lq.q != "" {
		// Limitation: a substring LIKE cannot use the B-tree indexes, so q scans
		// the rows the other filters leave; SQLite's LOWER folds ASCII only.
		p := coredb.ContainsPattern(lq.q)
		q = q.Where(`(LOWER(nom) LIKE ? ESCAPE '\' OR LOWER(numero_serie) LIKE ? ESCAPE '\')`,
			p, p)
	}
	q = q.OrderExpr(lq.order).Limit(int64(lq.page.Limit)).Offset(int64(lq.page.Offset))
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list equipements: %w", err)
	}
	return rows, int(total), nil
}

// insertEquipement inserts e and sets its id.
func insertEquipement(ctx context.Context, db bun.IDB, e *equipement) error {
	if _, err := db.NewInsert().Model(e).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert equipement: %w", err)
	}
	return nil
}

// updateEquipement writes e if its stored version is still prev. It reports
// false when another write got there first.
func updateEquipement(ctx context.Context, db bun.IDB, e *equipement, prev int) (bool, error) {
	ok, err := coredb.UpdateIfVersion(ctx, db, e, prev)
	if err != nil {
		return false, fmt.Errorf("update equipement %d: %w", e.ID, err)
	}
	return ok, nil
}

// deleteEquipement removes the equipment with id; its history goes with it.
func deleteEquipement(ctx context.Context, db bun.IDB, id int64) error {
	_, err := db.NewDelete().Model((*equipement)(nil)).Where("id = ?", id).Exec(ctx)
	if err != nil {
		return fmt.Errorf("delete equipement %d: %w", id, err)
	}
	return nil
}

// insertHistorique appends one status change.
func insertHistorique(ctx context.Context, db bun.IDB, h *historique) error {
	if _, err := db.NewInsert().Model(h).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert historique of equipement %d: %w", h.EquipementID, err)
	}
	return nil
}

// listHistorique returns one page of an equipment's status changes, oldest
// first, and their total.
func listHistorique(ctx context.Context, db bun.IDB, id int64, page httpx.Page) ([]historique,
	int, error) {
	var rows []historique
	total, err := db.NewSelect().Model(&rows).Where("equipement_id = ?", id).
		OrderExpr("date ASC, id ASC").Limit(int64(page.Limit)).Offset(int64(page.Offset)).
		ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list historique of equipement %d: %w", id, err)
	}
	return rows, int(total), nil
}
