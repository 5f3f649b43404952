package interventions

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

// getStmts are the prepared reads of one intervention, one per kind of
// scope: getting an intervention by id is the module's hottest read.
type getStmts struct {
	db                      *bun.DB
	any, client, technicien *db.Stmt
}

func newGetStmts(d *bun.DB) (*getStmts, error) {
	build := func(col string) (*db.Stmt, error) {
		q := d.NewSelect().Model((*InterventionOut)(nil)).Where("i.id = ?", db.Param(d, 1))
		if col != "" {
			q = q.Where("? = ?", bun.Safe(col), db.Param(d, 2))
		}
		return db.NewStmt(d, q)
	}
	s := getStmts{db: d}
	var errs [3]error
	s.any, errs[0] = build("")
	s.client, errs[1] = build("i.client_id")
	s.technicien, errs[2] = build("i.technicien_id")
	return &s, errors.Join(errs[:]...)
}

// get reads intervention id within sc, like getIntervention without a lock.
func (s *getStmts) get(ctx context.Context, id int64, sc scope) (*InterventionOut, error) {
	iv := new(InterventionOut)
	var err error
	switch {
	case sc.clientID != 0 && sc.technicien:
		// No role has both today; the query builder serves it if one does.
		return getIntervention(ctx, s.db, id, sc, false)
	case sc.clientID != 0:
		err = s.client.Scan(ctx, iv, id, sc.clientID)
	case sc.technicien:
		err = s.technicien.Scan(ctx, iv, id, sc.technicienID)
	default:
		err = s.any.Scan(ctx, iv, id)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, httpx.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read intervention %d: %w", id, err)
	}
	iv.derive(now())
	return iv, nil
}
