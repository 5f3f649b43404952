package webhooks

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bunrouter"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/idempotency"
)

// scopeOf returns the client the caller is bound to, 0 for none.
func scopeOf(ctx context.Context) int64 {
	if p := auth.FromContext(ctx); p != nil {
		return p.ClientScope()
	}
	return 0
}

func (m *Module) list(w http.ResponseWriter, req bunrouter.Request) error {
	page, err := httpx.ParsePage(req.URL.Query())
	if err != nil {
		return err
	}
	rows, total, err := listWebhooks(req.Context(), m.db, page, scopeOf(req.Context()))
	if err != nil {
		return err
	}
	out := make([]WebhookOut, len(rows))
	for i := range rows {
		out[i] = rows[i].out()
	}
	httpx.SetPageHeaders(w, req.Request, page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func (m *Module) get(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathInt(req, "id")
	if err != nil {
		return err
	}
	row, err := getWebhook(req.Context(), m.db, id, scopeOf(req.Context()))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, row.out())
}

func (m *Module) create(w http.ResponseWriter, req bunrouter.Request) error {
	var in WebhookCreate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	ctx := req.Context()
	row, err := m.newWebhook(in, scopeOf(ctx))
	if err != nil {
		return err
	}
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if err := insertWebhook(ctx, tx, row); err != nil {
			return err
		}
		return record(ctx, tx, "webhook.create", row.ID, nil, row.out())
	})
	if err != nil {
		return err
	}
	out := row.out()
	out.Secret = row.Secret
	w.Header().Set("Location", httpx.BasePath+"/webhooks/"+strconv.FormatInt(row.ID, 10))
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusCreated, out)
}

// newWebhook validates a subscription and builds its row. A caller bound
// to a client subscribes to that client's events only.
func (m *Module) newWebhook(in WebhookCreate, scope int64) (*webhook, error) {
	var c checker
	in.URL = strings.TrimSpace(in.URL)
	c.url(in.URL, m.rules)
	types := c.types(in.TypesEvenements)
	secret := newSecret()
	if in.Secret != nil {
		secret = *in.Secret
		c.secret(secret)
	}
	c.clientID(in.ClientID, false)
	clientID := inScope(&c, in.ClientID, scope)
	if err := c.err(); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	return &webhook{URL: in.URL, Secret: secret, Types: encodeTypes(types),
		ClientID: clientID, Actif: in.Actif == nil || *in.Actif, DateCreation: now,
		DateModification: now}, nil
}

// inScope returns the client filter to store: the requested one, or the
// caller's client when the caller is bound to one, which it may not leave.
func inScope(c *checker, requested *int64, scope int64) *int64 {
	if scope == 0 {
		if requested != nil && *requested == 0 {
			return nil
		}
		return requested
	}
	if requested != nil && *requested != scope {
		c.add("client_id", "value_error", "seul votre client peut être choisi")
	}
	return &scope
}

func encodeTypes(types []string) string {
	b, _ := json.Marshal(types)
	return string(b)
}

func (m *Module) update(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathInt(req, "id")
	if err != nil {
		return err
	}
	var in WebhookUpdate
	if err := httpx.DecodeJSON(req.Request, &in); err != nil {
		return err
	}
	var row *webhook
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var txErr error
		row, txErr = m.applyUpdate(ctx, tx, id, in)
		return txErr
	})
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, row.out())
}

// applyUpdate runs inside the update's transaction: read, check, change,
// write, audit.
func (m *Module) applyUpdate(ctx context.Context, tx bun.IDB, id int64,
	in WebhookUpdate) (*webhook, error) {
	scope := scopeOf(ctx)
	row, err := getWebhook(ctx, tx, id, scope)
	if err != nil {
		return nil, err
	}
	before := row.out()
	if err := m.merge(row, in, scope); err != nil {
		return nil, err
	}
	row.DateModification = time.Now().UTC().Truncate(time.Microsecond)
	if err := updateWebhook(ctx, tx, row); err != nil {
		return nil, err
	}
	return row, record(ctx, tx, "webhook.update", row.ID, before, row.out())
}

// merge checks the present fields of in and applies them to row.
func (m *Module) merge(row *webhook, in WebhookUpdate, scope int64) error {
	var c checker
	if in.URL != nil {
		row.URL = strings.TrimSpace(*in.URL)
		c.url(row.URL, m.rules)
	}
	if in.Secret != nil {
		row.Secret = *in.Secret
		c.secret(row.Secret)
	}
	if in.TypesEvenements != nil {
		row.Types = encodeTypes(c.types(in.TypesEvenements))
	}
	if in.ClientID != nil {
		c.clientID(in.ClientID, scope == 0)
		row.ClientID = inScope(&c, in.ClientID, scope)
	}
	if in.Actif != nil {
		row.Actif = *in.Actif
	}
	return c.err()
}

func (m *Module) remove(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathInt(req, "id")
	if err != nil {
		return err
	}
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		row, err := getWebhook(ctx, tx, id, scopeOf(ctx))
		if err != nil {
			return err
		}
		if err := deleteWebhook(ctx, tx, id); err != nil {
			return err
		}
		return record(ctx, tx, "webhook.delete", id, row.out(), nil)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (m *Module) livraisons(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathInt(req, "id")
	if err != nil {
		return err
	}
	page, err := httpx.ParsePage(req.URL.Query())
	if err != nil {
		return err
	}
	ctx := req.Context()
	if _, err := getWebhook(ctx, m.db, id, scopeOf(ctx)); err != nil {
		return err
	}
	out, total, err := listLivraisons(ctx, m.db, id, page)
	if err != nil {
		return err
	}
	httpx.SetPageHeaders(w, req.Request, page, total)
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func (m *Module) replay(w http.ResponseWriter, req bunrouter.Request) error {
	id, err := pathInt(req, "id")
	if err != nil {
		return err
	}
	livraisonID, err := pathInt(req, "livraison_id")
	if err != nil {
		return err
	}
	var resp idempotency.Response
	ctx := req.Context()
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		var txErr error
		resp, txErr = m.queueReplay(ctx, tx, id, livraisonID)
		return txErr
	})
	if err != nil {
		return err
	}
	return resp.Write(w)
}

// queueReplay queues the event of delivery livraisonID again, as a new
// delivery with the same body, hence the same event id.
func (m *Module) queueReplay(ctx context.Context, tx bun.Tx, id,
	livraisonID int64) (idempotency.Response, error) {
	row, err := getWebhook(ctx, tx, id, scopeOf(ctx))
	if err != nil {
		return idempotency.Response{}, err
	}
	if !row.Actif {
		return idempotency.Response{}, httpx.Conflict("L'abonnement est désactivé : " +
			"réactivez-le avant de rejouer une livraison.")
	}
	orig, err := getLivraison(ctx, tx, id, livraisonID)
	if err != nil {
		return idempotency.Response{}, err
	}
	now := time.Now().UTC()
	l := &livraison{WebhookID: id, EventID: orig.EventID, EventType: orig.EventType,
		Corps: orig.Corps, Statut: StatutEnAttente, RejeuDe: &orig.ID, DateCreation: now,
		DateModification: now}
	if err := m.enqueue(ctx, tx, l); err != nil {
		return idempotency.Response{}, err
	}
	if err := record(ctx, tx, "webhook.replay", id, nil, l.out(nil)); err != nil {
		return idempotency.Response{}, err
	}
	resp, err := idempotency.JSON(http.StatusAccepted, nil, l.out(nil))
	if err != nil {
		return idempotency.Response{}, err
	}
	if err := idempotency.Save(ctx, tx, resp); err != nil {
		return idempotency.Response{}, fmt.Errorf("replay delivery %d: %w", livraisonID, err)
	}
	return resp, nil
}

// record writes the audit entry of a change to subscription id. The
// entries never hold the secret: WebhookOut leaves it out.
func record(ctx context.Context, tx bun.IDB, action string, id int64, before, after any) error {
	return audit.Record(ctx, tx, audit.Change{Action: action, Resource: "webhook",
		ResourceID: strconv.FormatInt(id, 10), Before: before, After: after})
}
