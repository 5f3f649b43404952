package interventions

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/idempotency"
)

// comment adds a comment to an intervention the caller may see.
func (m *Module) comment(ctx context.Context, p *auth.Principal, in CommentaireCreate) (
	idempotency.Response, error) {
	texte := strings.TrimSpace(in.Texte)
	if errs := appendLength(nil, "texte", texte, 1, 2000); len(errs) > 0 {
		return idempotency.Response{}, httpx.Invalid(errs...)
	}
	sc, err := m.scopeOf(ctx, p)
	if err != nil {
		return idempotency.Response{}, err
	}
	var resp idempotency.Response
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		iv, err := getIntervention(ctx, tx, in.ID, sc, false)
		if err != nil {
			return err
		}
		c := &CommentaireOut{InterventionID: iv.ID, UserID: &p.UserID, Texte: texte,
			DateCreation: now()}
		if err := insertCommentaire(ctx, tx, c); err != nil {
			return err
		}
		err = events.Record(ctx, tx, events.Event{Type: "intervention.commented",
			Resource: resource, ResourceID: strconv.FormatInt(iv.ID, 10),
			ClientID: iv.ClientID, Payload: c})
		if err != nil {
			return err
		}
		resp, err = idempotency.JSON(http.StatusCreated, nil, c)
		if err != nil {
			return err
		}
		return idempotency.Save(ctx, tx, resp)
	})
	return resp, err
}

// commentaires lists the comments of an intervention the caller may see,
// oldest first.
func (m *Module) commentaires(ctx context.Context, p *auth.Principal, id int64,
	page httpx.Page) ([]CommentaireOut, int, error) {
	if _, err := m.get(ctx, p, id); err != nil {
		return nil, 0, err
	}
	return listCommentaires(ctx, m.db, id, page)
}
