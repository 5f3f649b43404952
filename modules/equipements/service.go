package equipements

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/httpx"
)

// Service is what the module publishes as "equipements.service". Each
// method runs on the bun.IDB it is given, so a caller inside a transaction
// passes that transaction.
type Service struct{}

// Equipement returns the equipment's client, criticality and current
// status. scope is the caller's client scope (0 = unrestricted); equipment
// that is missing or out of scope gives an error wrapping httpx.ErrNotFound.
func (*Service) Equipement(ctx context.Context, db bun.IDB, id int64, scope int64) (
	clientID int64, criticite string, statut string, err error) {
	var row struct {
		ClientID  int64  `bun:"client_id"`
		Criticite string `bun:"criticite"`
		Statut    string `bun:"statut"`
	}
	q := db.NewSelect().Table("equipements").Column("client_id", "criticite", "statut").
		Where("id = ?", id)
	if scope != 0 {
		q = q.Where("client_id = ?", scope)
	}
	if err := q.Scan(ctx, &row); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, "", "", fmt.Errorf("equipement %d: %w", id, httpx.ErrNotFound)
		}
		return 0, "", "", fmt.Errorf("read equipement %d: %w", id, err)
	}
	return row.ClientID, row.Criticite, row.Statut, nil
}

// SetStatut changes the equipment's status and appends the change to its
// history, on tx, which should be the caller's transaction. Setting the
// current status again changes nothing. interventionID and userID may be 0.
func (*Service) SetStatut(ctx context.Context, tx bun.IDB, id int64, statut string,
	motif string, interventionID int64, userID int64) error {
	if !slices.Contains(statuts, StatutEquipement(statut)) {
		return fmt.Errorf("equipement %d: unknown statut %q", id, statut)
	}
	e, err := getEquipement(ctx, tx, id, 0)
	if err != nil {
		return err
	}
	if e.Statut == statut {
		return nil
	}
	before, prev := e.out(), e.Version
	e.Statut = statut
	e.Version++
	e.DateModification = now()
	ok, err := updateEquipement(ctx, tx, e, prev)
	if err != nil {
		return err
	}
	if !ok {
		return httpx.Conflict("L'équipement a été modifié en même temps ; réessayez.")
	}
	ch := statusChange{from: before.Statut, to: StatutEquipement(statut), motif: motif,
		interventionID: interventionID, userID: userID}
	if err := ch.record(ctx, tx, e.ID); err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Change{Action: "equipement.statut",
		Resource: "equipement", ResourceID: strconv.FormatInt(id, 10), Before: before,
		After: e.out(), Detail: motif, UserID: userID})
}

// statusChange is one entry of an equipment's history. from is empty for
// the status given at creation.
type statusChange struct {
	from, to       StatutEquipement
	motif          string
	interventionID int64
	userID         int64
}

func (c statusChange) record(ctx context.Context, tx bun.IDB, equipementID int64) error {
	h := &historique{EquipementID: equipementID, NouveauStatut: string(c.to), Date: now()}
	if c.from != "" {
		from := string(c.from)
		h.AncienStatut = &from
	}
	if c.motif != "" {
		h.Motif = &c.motif
	}
	if c.interventionID != 0 {
		h.InterventionID = &c.interventionID
	}
	if c.userID != 0 {
		h.UserID = &c.userID
	}
	return insertHistorique(ctx, tx, h)
}

// now is the current time as both databases store it: UTC, microseconds.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }
