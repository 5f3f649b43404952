package clients

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	coredb "github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/httpx"
)

// listSort lists the list's sort keys and their indexed columns.
var listSort = httpx.Sort{
	Keys: []string{"nom", "code", "date_creation"},
	Columns: map[string]string{
		"nom":           "nom",
		"code":          "code",
		"date_creation": "date_creation",
	},
	Default:  "nom ASC, id ASC",
	TieBreak: "id",
}

// listQuery is a parsed list request.
type listQuery struct {
	q     string
	actif *bool
	order string
	page  httpx.Page
	scope int64
}

// getClient reads one client within the caller's scope (0 = any client).
func getClient(ctx context.Context, db bun.IDB, id, scope int64) (*client, error) {
	c := new(client)
	q := db.NewSelect().Model(c).Where("id = ?", id)
	if scope != 0 {
		q = q.Where("id = ?", scope)
	}
	if err := q.Scan(ctx); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("client %d: %w", id, httpx.ErrNotFound)
		}
		return nil, fmt.Errorf("read client %d: %w", id, err)
	}
	return c, nil
}

// listClients returns one page of clients and the total matching the filters.
func listClients(ctx context.Context, db bun.IDB, lq listQuery) ([]client, int, error) {
	var rows []client
	q := db.NewSelect().Model(&rows)
	if lq.scope != 0 {
		q = q.Where("id = ?", lq.scope)
	}
	if lq.actif != nil {
		q = q.Where("actif = ?", *lq.actif)
	}
	if lq.q != "" {
		// Limitation: a substring LIKE cannot use the B-tree indexes, so q scans
		// the filtered rows; and SQLite's LOWER folds ASCII only, so accented
		// capitals match case-insensitively on PostgreSQL alone. A trigram or
		// full-text index would fix both once client lists grow large.
		p := coredb.ContainsPattern(lq.q)
		q = q.Where(`(LOWER(nom) LIKE ? ESCAPE '\' OR LOWER(code) LIKE ? ESCAPE '\')`, p, p)
	}
	q = q.OrderExpr(lq.order).Limit(int64(lq.page.Limit)).Offset(int64(lq.page.Offset))
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list clients: %w", err)
	}
	return rows, int(total), nil
}

// insertClient inserts c and sets its id.
func insertClient(ctx context.Context, db bun.IDB, c *client) error {
	if _, err := db.NewInsert().Model(c).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert client: %w", err)
	}
	return nil
}

// updateClient writes c if its stored version is still prev. It reports
// false when another write got there first.
func updateClient(ctx context.Context, db bun.IDB, c *client, prev int) (bool, error) {
	ok, err := coredb.UpdateIfVersion(ctx, db, c, prev)
	if err != nil {
		return false, fmt.Errorf("update client %d: %w", c.ID, err)
	}
	return ok, nil
}

// deleteClient removes the client with id.
func deleteClient(ctx context.Context, db bun.IDB, id int64) error {
	if _, err := db.NewDelete().Model((*client)(nil)).Where("id = ?", id).Exec(ctx); err != nil {
		return fmt.Errorf("delete client %d: %w", id, err)
	}
	return nil
}
