package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"
	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/events"
)

// onEvent is the module's bus handler. For each active subscription that
// selects the committed event e, it writes a delivery and enqueues its job,
// all in one transaction. An event seen twice is queued once per
// subscription.
//
// Limitation: deliveries to one subscription are not ordered: jobs run in
// parallel and a retried event arrives after later ones. Receivers that
// care order by the body's date.
func (m *Module) onEvent(ctx context.Context, e events.Delivered) error {
	subs, err := activeWebhooks(ctx, m.db, e.ClientID)
	if err != nil {
		return err
	}
	subs = slices.DeleteFunc(subs, func(w webhook) bool { return !selects(&w, e.Type) })
	if len(subs) == 0 {
		return nil
	}
	body, err := encodeBody(e)
	if err != nil {
		return err
	}
	return m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		for i := range subs {
			if err := m.queueEvent(ctx, tx, &subs[i], e, body); err != nil {
				return err
			}
		}
		return nil
	})
}

// selects reports whether the subscription's patterns select eventType.
func selects(w *webhook, eventType string) bool {
	return slices.ContainsFunc(w.types(), func(p string) bool {
		return events.Match(p, eventType)
	})
}

// queueEvent queues e for w unless it already was.
func (m *Module) queueEvent(ctx context.Context, tx bun.Tx, w *webhook, e events.Delivered,
	body string) error {
	seen, err := hasLivraison(ctx, tx, w.ID, e.ID)
	if err != nil || seen {
		return err
	}
	now := time.Now().UTC()
	l := &livraison{WebhookID: w.ID, EventID: e.ID, EventType: e.Type, Corps: body,
		Statut: StatutEnAttente, DateCreation: now, DateModification: now}
	return m.enqueue(ctx, tx, l)
}

// enqueue writes the delivery l and its job inside tx.
func (m *Module) enqueue(ctx context.Context, tx bun.Tx, l *livraison) error {
	if err := insertLivraison(ctx, tx, l); err != nil {
		return err
	}
	_, err := m.jobs.InsertTx(ctx, tx, DeliveryArgs{LivraisonID: l.ID},
		&river.InsertOpts{MaxAttempts: m.cfg.MaxAttempts})
	return err
}

// encodeBody builds the JSON body receivers get for e.
func encodeBody(e events.Delivered) (string, error) {
	b := Body{ID: e.ID, Type: e.Type, Date: e.At.UTC(), Ressource: e.Resource,
		RessourceID: e.ResourceID, Donnees: e.Payload}
	if e.ClientID != 0 {
		b.ClientID = &e.ClientID
	}
	if len(b.Donnees) == 0 {
		b.Donnees = json.RawMessage("null")
	}
	out, err := json.Marshal(b)
	if err != nil {
		return "", fmt.Errorf("encode webhook body of event %s: %w", e.ID, err)
	}
	return string(out), nil
}
