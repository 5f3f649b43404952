package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/httpx"
)

// scoped restricts a query on webhooks to the caller's client, when the
// caller is bound to one (scope != 0).
func scoped(q *bun.SelectQuery, scope int64) *bun.SelectQuery {
	if scope != 0 {
		q = q.Where("client_id = ?", scope)
	}
	return q
}

func insertWebhook(ctx context.Context, db bun.IDB, w *webhook) error {
	if _, err := db.NewInsert().Model(w).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert webhook: %w", err)
	}
	return nil
}

// getWebhook returns the subscription id, or httpx.ErrNotFound when it does
// not exist or is outside scope.
func getWebhook(ctx context.Context, db bun.IDB, id, scope int64) (*webhook, error) {
	w := new(webhook)
	err := scoped(db.NewSelect().Model(w).Where("id = ?", id), scope).Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, httpx.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get webhook %d: %w", id, err)
	}
	return w, nil
}

func listWebhooks(ctx context.Context, db bun.IDB, p httpx.Page,
	scope int64) ([]webhook, int, error) {
	var rows []webhook
	q := scoped(db.NewSelect().Model(&rows), scope).Order("id ASC").
		Limit(int64(p.Limit)).Offset(int64(p.Offset))
	total, err := q.ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list webhooks: %w", err)
	}
	return rows, int(total), nil
}

func updateWebhook(ctx context.Context, db bun.IDB, w *webhook) error {
	_, err := db.NewUpdate().Model(w).WherePK().
		Column("url", "secret", "types_evenements", "client_id", "actif",
			"date_modification").Exec(ctx)
	if err != nil {
		return fmt.Errorf("update webhook %d: %w", w.ID, err)
	}
	return nil
}

// deleteWebhook removes a subscription with its deliveries and attempts.
// Queued delivery jobs find their delivery gone and stop.
func deleteWebhook(ctx context.Context, db bun.IDB, id int64) error {
	livraisons := db.NewSelect().Model((*livraison)(nil)).Column("id").
		Where("webhook_id = ?", id)
	steps := []*bun.DeleteQuery{
		db.NewDelete().Model((*tentative)(nil)).Where("livraison_id IN (?)", livraisons),
		db.NewDelete().Model((*livraison)(nil)).Where("webhook_id = ?", id),
		db.NewDelete().Model((*webhook)(nil)).Where("id = ?", id),
	}
	for _, q := range steps {
		if _, err := q.Exec(ctx); err != nil {
			return fmt.Errorf("delete webhook %d: %w", id, err)
		}
	}
	return nil
}

// activeWebhooks returns the active subscriptions that may receive an event
// of clientID: those without a client filter and those filtered on it.
func activeWebhooks(ctx context.Context, db bun.IDB, clientID int64) ([]webhook, error) {
	var rows []webhook
	q := db.NewSelect().Model(&rows).Where("actif = ?", true)
	if clientID == 0 {
		q = q.Where("client_id IS NULL")
	} else {
		q = q.Where("client_id IS NULL OR client_id = ?", clientID)
	}
	if err := q.Order("id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("select webhooks for an event: %w", err)
	}
	return rows, nil
}

// hasLivraison reports whether the event was already queued for the
// subscription, so that an event seen twice is delivered once.
func hasLivraison(ctx context.Context, db bun.IDB, webhookID int64, eventID string) (bool,
	error) {
	ok, err := db.NewSelect().Model((*livraison)(nil)).
		Where("webhook_id = ? AND evenement_id = ? AND rejeu_de IS NULL", webhookID, eventID).
		Exists(ctx)
	if err != nil {
		return false, fmt.Errorf("look for delivery of event %s: %w", eventID, err)
	}
	return ok, nil
}

// insertLivraison adds a delivery to the log.
//
// Limitation: nothing prunes the delivery log; webhook_livraisons and
// webhook_tentatives grow until their subscription is deleted.
func insertLivraison(ctx context.Context, db bun.IDB, l *livraison) error {
	if _, err := db.NewInsert().Model(l).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("insert delivery of event %s: %w", l.EventID, err)
	}
	return nil
}

// getLivraison returns delivery id of subscription webhookID.
func getLivraison(ctx context.Context, db bun.IDB, webhookID, id int64) (*livraison, error) {
	l := new(livraison)
	err := db.NewSelect().Model(l).Where("id = ? AND webhook_id = ?", id, webhookID).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, httpx.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get delivery %d: %w", id, err)
	}
	return l, nil
}

// loadDelivery returns a delivery with its subscription, for the worker.
func loadDelivery(ctx context.Context, db bun.IDB, id int64) (*livraison, *webhook, error) {
	l := new(livraison)
	if err := db.NewSelect().Model(l).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("load delivery %d: %w", id, err)
	}
	w := new(webhook)
	if err := db.NewSelect().Model(w).Where("id = ?", l.WebhookID).Scan(ctx); err != nil {
		return nil, nil, fmt.Errorf("load webhook of delivery %d: %w", id, err)
	}
	return l, w, nil
}

// listLivraisons returns a page of a subscription's deliveries, newest
// first, with their attempts.
func listLivraisons(ctx context.Context, db bun.IDB, webhookID int64,
	p httpx.Page) ([]LivraisonOut, int, error) {
	var rows []livraison
	total, err := db.NewSelect().Model(&rows).Where("webhook_id = ?", webhookID).
		Order("id DESC").Limit(int64(p.Limit)).Offset(int64(p.Offset)).ScanAndCount(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list deliveries of webhook %d: %w", webhookID, err)
	}
	attempts, err := attemptsOf(ctx, db, rows)
	if err != nil {
		return nil, 0, err
	}
	out := make([]LivraisonOut, len(rows))
	for i := range rows {
		out[i] = rows[i].out(attempts[rows[i].ID])
	}
	return out, int(total), nil
}

// attemptsOf returns the attempts of the given deliveries by delivery id.
func attemptsOf(ctx context.Context, db bun.IDB, ls []livraison) (map[int64][]tentative,
	error) {
	by := make(map[int64][]tentative, len(ls))
	if len(ls) == 0 {
		return by, nil
	}
	ids := make([]int64, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	var rows []tentative
	err := db.NewSelect().Model(&rows).Where("livraison_id IN (?)", bun.In(ids)).
		Order("livraison_id", "numero", "id").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("list delivery attempts: %w", err)
	}
	for _, t := range rows {
		by[t.LivraisonID] = append(by[t.LivraisonID], t)
	}
	return by, nil
}

// saveAttempt records one attempt and the delivery's new state.
func saveAttempt(ctx context.Context, db bun.IDB, l *livraison, t *tentative) error {
	if _, err := db.NewInsert().Model(t).Returning("id").Exec(ctx); err != nil {
		return fmt.Errorf("record attempt %d of delivery %d: %w", t.Numero, l.ID, err)
	}
	l.DateModification = time.Now().UTC()
	_, err := db.NewUpdate().Model(l).WherePK().
		Column("statut", "nombre_tentatives", "date_modification", "date_livraison").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("update delivery %d: %w", l.ID, err)
	}
	return nil
}
