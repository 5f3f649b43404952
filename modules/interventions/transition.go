package interventions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/idempotency"
	"github.com/erp-interventions/erp/plugins/host"
)

// change is what a transition did, for the history, the audit log and the
// event.
type change struct {
	Action        Action             `json:"action"`
	ID            int64              `json:"intervention_id"`
	Titre         string             `json:"titre"`
	AncienStatut  StatutIntervention `json:"ancien_statut"`
	NouveauStatut StatutIntervention `json:"nouveau_statut"`
	TechnicienID  *int64             `json:"technicien_id,omitempty"`
	EquipementID  int64              `json:"equipement_id"`
	Motif         string             `json:"motif,omitempty"`
	Force         bool               `json:"force,omitempty"`
	Manquantes    []string           `json:"competences_manquantes,omitempty"`
	// DatePlanifiee is the planned date an assignment sets or keeps, so that
	// what follows the events (reminders) knows it.
	DatePlanifiee *time.Time `json:"date_planifiee,omitempty"`

	// plugins is what the plugin hooks of this step carry, nil when no
	// plugin applies.
	plugins *host.Call
}

// transition takes step s on intervention id for p, in one transaction: the
// status change and its stamps, the history entry, the equipment status when
// the step sets one, the audit entry, the event and the idempotent answer.
func (m *Module) transition(ctx context.Context, p *auth.Principal, id int64, s step,
	in transitionInput) (idempotency.Response, error) {
	sc, err := m.scopeOf(ctx, p)
	if err != nil {
		return idempotency.Response{}, err
	}
	var resp idempotency.Response
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		iv, err := getIntervention(ctx, tx, id, sc, true)
		if err != nil {
			return err
		}
		c, err := m.take(ctx, tx, p, sc, iv, s, in)
		if err != nil {
			return err
		}
		if err := m.record(ctx, tx, iv, string(s.Action), s.Event,
			map[string]any{"statut": c.AncienStatut}, c); err != nil {
			return err
		}
		if err := m.pluginTell(ctx, tx, c.plugins, iv); err != nil {
			return err
		}
		resp, err = answer(http.StatusOK, iv, false)
		if err != nil {
			return err
		}
		return idempotency.Save(ctx, tx, resp)
	})
	return resp, err
}

// take checks that step s is allowed on iv for p and applies it.
func (m *Module) take(ctx context.Context, tx bun.IDB, p *auth.Principal, sc scope,
	iv *InterventionOut, s step, in transitionInput) (*change, error) {
	if !s.allows(iv.Statut) {
		return nil, illegal(s.Action, iv.Statut)
	}
	if err := checkActor(p, sc, iv, s); err != nil {
		return nil, err
	}
	c := &change{Action: s.Action, ID: iv.ID, Titre: iv.Titre, AncienStatut: iv.Statut,
		NouveauStatut: s.To, EquipementID: iv.EquipementID, Motif: in.Motif}
	if s.Action == ActionAffecter {
		if err := m.checkAssignee(ctx, tx, p, iv, in, c); err != nil {
			return nil, err
		}
	}

	if err := m.vetStep(ctx, tx, p, iv, s, in, c); err != nil {
		return nil, err
	}

	at := now()
	s.Stamp(iv, in, at)
	iv.Statut, iv.DateModification = s.To, at
	c.TechnicienID = iv.TechnicienID
	if s.Action == ActionAffecter {
		c.DatePlanifiee = iv.DatePlanifiee
	}
	if _, err := m.pluginCompute(ctx, c.plugins, iv); err != nil {
		return nil, err
	}
	if err := saveIntervention(ctx, tx, iv, iv.Version); err != nil {
		return nil, err
	}
	iv.derive(at)
	if err := insertHistorique(ctx, tx, c.historique(p, at)); err != nil {
		return nil, err
	}
	if s.Equipement != "" {
		motif := "Intervention " + strconv.FormatInt(iv.ID, 10) + " : " + string(s.Action)
		err := m.equip.SetStatut(ctx, tx, iv.EquipementID, s.Equipement, motif, iv.ID,
			p.UserID)
		if err != nil {
			return nil, fmt.Errorf("set equipment %d %s: %w", iv.EquipementID, s.Equipement, err)
		}
	}
	return c, nil
}

// vetStep asks the client's plugins, once every rule of the workflow has
// passed, whether step s may happen, and keeps in c what the later hooks
// of the step carry.
func (m *Module) vetStep(ctx context.Context, tx bun.IDB, p *auth.Principal,
	iv *InterventionOut, s step, in transitionInput, c *change) error {
	call, err := m.pluginCall(ctx, tx, p, iv, hookBefore, hookCompute, hookAfter)
	if err != nil || call == nil {
		return err
	}
	call.Transition = host.Transition{Action: string(s.Action), From: string(iv.Statut),
		To: string(s.To), Motif: in.Motif, Rapport: in.Rapport}
	c.plugins = call
	return m.pluginVet(ctx, call)
}

func (c *change) historique(p *auth.Principal, at time.Time) *HistoriqueOut {
	ancien := string(c.AncienStatut)
	h := &HistoriqueOut{InterventionID: c.ID, Action: string(c.Action),
		AncienStatut: &ancien, NouveauStatut: c.NouveauStatut, Force: c.Force,
		Manquantes: c.Manquantes, UserID: &p.UserID, Date: at}
	if c.Motif != "" {
		h.Motif = &c.Motif
	}
	if c.Action == ActionAffecter {
		h.TechnicienID = c.TechnicienID
	}
	return h
}

// illegal is the 409 of a step that the workflow does not allow from statut.
func illegal(a Action, statut StatutIntervention) *httpx.Error {
	allowed := allowedActions(statut)
	names := make([]string, len(allowed))
	for i, x := range allowed {
		names[i] = string(x)
	}
	possible := "aucune"
	if len(names) > 0 {
		possible = strings.Join(names, ", ")
	}
	return statutConflict(statut, "Action « "+string(a)+" » impossible depuis le statut « "+
		string(statut)+" » ; actions possibles : "+possible+".")
}

// checkActor applies the step's actor rule on top of its permission.
func checkActor(p *auth.Principal, sc scope, iv *InterventionOut, s step) error {
	switch s.Actor {
	case assignedTechnicien:
		if p.Role == auth.RoleTechnicien &&
			(iv.TechnicienID == nil || *iv.TechnicienID != sc.technicienID) {
			return httpx.NewError(http.StatusForbidden,
				"Seul le technicien affecté peut effectuer cette action.")
		}
	case clientWhileOpen:
		if p.Role == auth.RoleClient && iv.Statut != StatutOuverte {
			return httpx.NewError(http.StatusForbidden,
				"Un client ne peut annuler une intervention que tant qu'elle est ouverte.")
		}
	}
	return nil
}

// checkAssignee checks the technician of an assignment: known, active, and
// holding every required competence valid at the planned date (or now). A
// missing competence is a 409 naming each, unless the caller forces the
// assignment with the force_assign permission, which c records.
func (m *Module) checkAssignee(ctx context.Context, tx bun.IDB, p *auth.Principal,
	iv *InterventionOut, in transitionInput, c *change) error {
	_, actif, err := m.techs.Technicien(ctx, tx, in.TechnicienID)
	if errors.Is(err, httpx.ErrNotFound) {
		return httpx.Invalid(httpx.Field("technicien_id", "not_found", "technicien introuvable"))
	}
	if err != nil {
		return fmt.Errorf("read technician %d: %w", in.TechnicienID, err)
	}
	if !actif {
		return httpx.Invalid(httpx.Field("technicien_id", "inactive", "technicien inactif"))
	}
	if len(iv.CompetencesRequises) == 0 {
		return nil
	}
	missing, err := m.techs.MissingCompetences(ctx, tx, in.TechnicienID,
		iv.CompetencesRequises, assignmentDate(iv, in))
	if err != nil {
		return fmt.Errorf("check competences of technician %d: %w", in.TechnicienID, err)
	}
	return m.allowMissing(p, in, missing, c)
}

func (m *Module) allowMissing(p *auth.Principal, in transitionInput, missing []string,
	c *change) error {
	switch {
	case len(missing) == 0:
		return nil
	case !in.Forcer:
		e := httpx.Conflict("Le technicien ne détient pas les compétences requises : " +
			strings.Join(missing, ", ") + ".")
		e.Extra = map[string]any{"competences_manquantes": missing}
		return e
	case !m.grants.Allows(p.Role, auth.InterventionsForce):
		return httpx.Forbidden(auth.InterventionsForce)
	}
	c.Force, c.Manquantes = true, missing
	return nil
}

// assignmentDate is when the competences must be valid: the planned date
// when there is one, otherwise now.
func assignmentDate(iv *InterventionOut, in transitionInput) time.Time {
	switch {
	case in.DatePlanifiee != nil:
		return in.DatePlanifiee.UTC()
	case iv.DatePlanifiee != nil:
		return *iv.DatePlanifiee
	}
	return now()
}

// historique returns the timeline of an intervention the caller may see.
func (m *Module) historique(ctx context.Context, p *auth.Principal, id int64) (
	[]HistoriqueOut, error) {
	iv, err := m.get(ctx, p, id)
	if err != nil {
		return nil, err
	}
	return listHistorique(ctx, m.db, iv)
}
