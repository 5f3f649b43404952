package notifications

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/db"
	"github.com/erp-interventions/erp/core/events"
)

// suivi is what the module knows of an intervention from its events: enough
// to word notifications and to run the periodic checks without asking the
// interventions module.
type suivi struct {
	bun.BaseModel `bun:"table:notification_suivi,alias:s"`

	InterventionID     int64      `bun:"intervention_id,pk"`
	ClientID           *int64     `bun:"client_id"`
	Titre              string     `bun:"titre"`
	Statut             string     `bun:"statut"`
	TechnicienID       *int64     `bun:"technicien_id"`
	DatePlanifiee      *time.Time `bun:"date_planifiee"`
	SuspendueDepuis    *time.Time `bun:"suspendue_depuis"`
	SuspensionSignalee bool       `bun:"suspension_signalee"`
	RappelPour         *time.Time `bun:"rappel_pour"`
	DateEvenement      time.Time  `bun:"date_evenement"`
}

// payload holds the members of the intervention events' payloads that the
// module uses: the created event carries the intervention, the workflow
// events a change (intervention_id, nouveau_statut, technicien_id), the
// updated event its modifications.
type payload struct {
	Titre         string                     `json:"titre"`
	Priorite      string                     `json:"priorite"`
	Urgence       bool                       `json:"urgence"`
	Statut        string                     `json:"statut"`
	NouveauStatut string                     `json:"nouveau_statut"`
	TechnicienID  *int64                     `json:"technicien_id"`
	Modifications map[string]json.RawMessage `json:"modifications"`
	// raw keeps the members, to tell an absent date_planifiee from null.
	raw map[string]json.RawMessage
}

func decodePayload(e events.Delivered) (payload, error) {
	var p payload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", e.Type, err)
	}
	if err := json.Unmarshal(e.Payload, &p.raw); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", e.Type, err)
	}
	return p, nil
}

// follow updates the follow-up row of the event's intervention and
// returns it. Deliveries may arrive out of order, so status and suspension
// change only for an event at least as recent as the last one applied; an
// older event only fills what is still unknown. Every workflow event
// carries the title, and the created, updated and assigned events the
// planned date, so the order does not lose them.
func follow(ctx context.Context, tx bun.Tx, e events.Delivered, p payload) (*suivi, error) {
	id, err := strconv.ParseInt(e.ResourceID, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("follow %s: intervention id %q: %w", e.Type, e.ResourceID, err)
	}
	s, err := loadSuivi(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if e.ClientID != 0 {
		s.ClientID = &e.ClientID
	}
	if e.At.Before(s.DateEvenement) {
		fillBlanks(s, e.Type, p)
		return s, saveSuivi(ctx, tx, s)
	}
	applyDetails(s, e.Type, p)
	applyStatus(s, e, p)
	s.DateEvenement = e.At.UTC()
	return s, saveSuivi(ctx, tx, s)
}

// loadSuivi returns the follow-up row of intervention id, created empty
// when missing, and locked on PostgreSQL so that two events of one
// intervention handled at once take turns instead of failing.
func loadSuivi(ctx context.Context, tx bun.Tx, id int64) (*suivi, error) {
	s := &suivi{InterventionID: id, DateEvenement: time.Unix(0, 0).UTC()}
	if _, err := tx.NewInsert().Model(s).On("CONFLICT (intervention_id) DO NOTHING").
		Exec(ctx); err != nil {
		return nil, fmt.Errorf("create follow-up of intervention %d: %w", id, err)
	}
	q := tx.NewSelect().Model(s).WherePK()
	if db.DialectOf(tx) == db.Postgres {
		q = q.For("UPDATE")
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("read follow-up of intervention %d: %w", id, err)
	}
	return s, nil
}

func saveSuivi(ctx context.Context, tx bun.Tx, s *suivi) error {
	if _, err := tx.NewUpdate().Model(s).WherePK().Exec(ctx); err != nil {
		return fmt.Errorf("save follow-up of intervention %d: %w", s.InterventionID, err)
	}
	return nil
}

// applyDetails copies the title, technician and planned date an event
// carries.
func applyDetails(s *suivi, kind string, p payload) {
	fields := p.raw
	if kind == "intervention.updated" {
		fields = p.Modifications
	}
	if t := stringMember(fields, "titre"); t != "" {
		s.Titre = t
	}
	if p.TechnicienID != nil {
		s.TechnicienID = p.TechnicienID
	}
	if raw, ok := fields["date_planifiee"]; ok {
		var d *time.Time
		if json.Unmarshal(raw, &d) == nil {
			s.DatePlanifiee = utcPtr(d)
		}
	}
}

// fillBlanks takes from an event older than the last one applied only
// what is still unknown, so that it never undoes a later change.
func fillBlanks(s *suivi, kind string, p payload) {
	fresh := *s
	applyDetails(&fresh, kind, p)
	if s.Titre == "" {
		s.Titre = fresh.Titre
	}
	if s.TechnicienID == nil {
		s.TechnicienID = fresh.TechnicienID
	}
	if s.DatePlanifiee == nil {
		s.DatePlanifiee = fresh.DatePlanifiee
	}
}

// applyStatus follows the workflow: the new status, and when a suspension
// began or ended.
func applyStatus(s *suivi, e events.Delivered, p payload) {
	switch {
	case p.NouveauStatut != "":
		s.Statut = p.NouveauStatut
	case e.Type == "intervention.created" && p.Statut != "":
		s.Statut = p.Statut
	}
	switch e.Type {
	case "intervention.suspended":
		at := e.At.UTC()
		s.SuspendueDepuis, s.SuspensionSignalee = &at, false
	case "intervention.resumed", "intervention.closed", "intervention.cancelled",
		"intervention.archived":
		s.SuspendueDepuis, s.SuspensionSignalee = nil, false
	}
}

func stringMember(fields map[string]json.RawMessage, name string) string {
	var v string
	if raw, ok := fields[name]; ok {
		_ = json.Unmarshal(raw, &v)
	}
	return v
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
