package interventions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/audit"
	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/events"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/core/idempotency"
	"github.com/erp-interventions/erp/plugins/host"
)

// resource names interventions in audit entries and events.
const resource = "intervention"

// validateCreate checks a creation body, naming every bad field at once.
func validateCreate(in *InterventionCreate) error {
	in.Titre = strings.TrimSpace(in.Titre)
	in.Description = strings.TrimSpace(in.Description)
	var errs []httpx.FieldError
	if in.EquipementID <= 0 {
		errs = append(errs, httpx.Field("equipement_id", "missing",
			"equipement_id est requis"))
	}
	errs = appendLength(errs, "titre", in.Titre, 5, 255)
	errs = appendLength(errs, "description", in.Description, 10, 2000)
	switch {
	case in.TypeIntervention == "":
		errs = append(errs, httpx.Field("type_intervention", "missing",
			"type_intervention est requis"))
	case !in.TypeIntervention.Valid():
		errs = append(errs, enumError("type_intervention", interventionTypes))
	}
	if in.Priorite == "" {
		in.Priorite = PrioriteNormale
	} else if !in.Priorite.Valid() {
		errs = append(errs, enumError("priorite", priorites))
	}
	if len(errs) > 0 {
		return httpx.Invalid(errs...)
	}
	return nil
}

func enumError[T ~string](name string, values []T) httpx.FieldError {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = string(v)
	}
	return httpx.Field(name, "enum", "valeur attendue parmi : "+strings.Join(names, ", "))
}

// create records a new intervention on the caller's equipment. The client
// comes from the equipment, which must be within the caller's client scope.
func (m *Module) create(ctx context.Context, p *auth.Principal, in InterventionCreate) (
	idempotency.Response, error) {
	if err := validateCreate(&in); err != nil {
		return idempotency.Response{}, err
	}
	at := now()
	iv := &InterventionOut{
		EquipementID: in.EquipementID, TypeIntervention: in.TypeIntervention,
		Statut: StatutOuverte, Priorite: in.Priorite, PrioriteRang: in.Priorite.rang(),
		Urgence: in.Urgence, Titre: in.Titre, Description: in.Description,
		CompetencesRequises: []string{}, DateCreation: at, DateModification: at,
		Version: 1, CreateurID: &p.UserID, Extensions: map[string]any{},
	}
	var resp idempotency.Response
	err := m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		clientID, criticite, _, err := m.equip.Equipement(ctx, tx, in.EquipementID,
			p.ClientScope())
		if errors.Is(err, httpx.ErrNotFound) {
			return httpx.Invalid(httpx.Field("equipement_id", "not_found",
				"équipement introuvable"))
		}
		if err != nil {
			return fmt.Errorf("read equipment %d: %w", in.EquipementID, err)
		}
		iv.ClientID = clientID
		if err := m.insertWithPlugins(ctx, tx, p, iv, criticite); err != nil {
			return err
		}
		iv.derive(at)
		if err := m.record(ctx, tx, iv, "create", "intervention.created", nil, iv); err != nil {
			return err
		}
		resp, err = answer(http.StatusCreated, iv, true)
		if err != nil {
			return err
		}
		return idempotency.Save(ctx, tx, resp)
	})
	return resp, err
}

// insertWithPlugins stores a new intervention, after the client's plugins
// validated it, and with the fields they compute once it has its id.
//
// Limitation: the contract's creation body has no extensions member, so a
// plugin sees an empty extensions object at creation and cannot demand a
// key the user sets there (referenceclient's required: true refuses every
// creation); such keys are written afterwards with PATCH.
func (m *Module) insertWithPlugins(ctx context.Context, tx bun.Tx, p *auth.Principal,
	iv *InterventionOut, criticite string) error {
	var call *host.Call
	if m.serves(iv.ClientID, hookValidate, hookCompute) {
		call = &host.Call{Role: string(p.Role), Criticite: criticite}
	}
	if err := m.pluginValidate(ctx, call, iv, "create"); err != nil {
		return err
	}
	if err := insertIntervention(ctx, tx, iv); err != nil {
		return err
	}
	computed, err := m.pluginCompute(ctx, call, iv)
	if err != nil || !computed {
		return err
	}
	return saveExtensions(ctx, tx, iv)
}

// record writes the audit entry and the domain event of a change to iv.
func (m *Module) record(ctx context.Context, tx bun.IDB, iv *InterventionOut,
	auditAction, eventType string, before, payload any) error {
	id := strconv.FormatInt(iv.ID, 10)
	err := audit.Record(ctx, tx, audit.Change{Action: resource + "." + auditAction,
		Resource: resource, ResourceID: id, Before: before, After: payload})
	if err != nil {
		return err
	}
	return events.Record(ctx, tx, events.Event{Type: eventType, Resource: resource,
		ResourceID: id, ClientID: iv.ClientID, Payload: payload})
}

// answer builds the response carrying iv, with its ETag and, for a
// creation, its Location.
func answer(status int, iv *InterventionOut, created bool) (idempotency.Response, error) {
	h := http.Header{}
	h.Set("ETag", etag(iv.Version))
	if created {
		h.Set("Location", location(iv.ID))
	}
	return idempotency.JSON(status, h, iv)
}

func location(id int64) string {
	return httpx.BasePath + "/interventions/" + strconv.FormatInt(id, 10)
}

func etag(version int64) string { return httpx.ETag(int(version)) }

// matches reports whether a precondition header names version: "*" or one
// of its comma-separated entity tags. If-Match compares strongly, so a weak
// tag never matches it; If-None-Match compares weakly.
func matches(header string, version int64, weak bool) bool {
	want := etag(version)
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimSpace(tag)
		if weak {
			tag = strings.TrimPrefix(tag, "W/")
		}
		if tag == "*" || tag == want {
			return true
		}
	}
	return false
}

// now is the current time as both databases store it: UTC, to the
// microsecond, so that an answer shows the same instant a later read does.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// get reads one intervention within the caller's scope.
func (m *Module) get(ctx context.Context, p *auth.Principal, id int64) (
	*InterventionOut, error) {
	sc, err := m.scopeOf(ctx, p)
	if err != nil {
		return nil, err
	}
	return m.getStmts.get(ctx, id, sc)
}

// list returns a page of the interventions the caller may see.
func (m *Module) list(ctx context.Context, p *auth.Principal, f filter) (
	[]InterventionOut, int, error) {
	sc, err := m.scopeOf(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	return listInterventions(ctx, m.db, f, sc)
}

// validateUpdate checks the members a PATCH body carries.
func validateUpdate(in *InterventionUpdate) error {
	var errs []httpx.FieldError
	if in.sent["statut"] {
		errs = append(errs, httpx.Field("statut", "read_only", "le statut ne se modifie "+
			"que par les actions du workflow (affecter, demarrer, …)"))
	}
	if in.sent["titre"] {
		in.Titre = strings.TrimSpace(in.Titre)
		errs = appendLength(errs, "titre", in.Titre, 5, 255)
	}
	if in.sent["description"] {
		in.Description = strings.TrimSpace(in.Description)
		errs = appendLength(errs, "description", in.Description, 10, 2000)
	}
	if in.sent["priorite"] && !in.Priorite.Valid() {
		errs = append(errs, enumError("priorite", priorites))
	}
	if in.sent["extensions"] {
		if err := checkExtensions(in.Extensions); err != nil {
			errs = append(errs, *err)
		}
	}
	if in.sent["competences_requises"] {
		var err *httpx.FieldError
		in.CompetencesRequises, err = cleanCodes(in.CompetencesRequises)
		if err != nil {
			errs = append(errs, *err)
		}
	}
	if len(errs) > 0 {
		return httpx.Invalid(errs...)
	}
	return nil
}

// cleanCodes trims and de-duplicates competence codes, keeping their order.
//
// Limitation: codes are not checked against the competence catalogue here;
// an unknown code is reported as such ("xyz (inconnue)") at assignment.
func cleanCodes(codes []string) ([]string, *httpx.FieldError) {
	if len(codes) > 20 {
		e := httpx.Field("competences_requises", "too_long", "au plus 20 compétences")
		return nil, &e
	}
	out := []string{}
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" || utf8.RuneCountInString(c) > 50 {
			e := httpx.Field("competences_requises", "value_error",
				"codes de 1 à 50 caractères attendus")
			return nil, &e
		}
		if !contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// update applies a PATCH. The intervention must not be final, and when the
// request carries If-Match it must name the current version (else 412).
func (m *Module) update(ctx context.Context, p *auth.Principal, in InterventionUpdate) (
	idempotency.Response, error) {
	if err := validateUpdate(&in); err != nil {
		return idempotency.Response{}, err
	}
	sc, err := m.scopeOf(ctx, p)
	if err != nil {
		return idempotency.Response{}, err
	}
	var resp idempotency.Response
	err = m.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		iv, err := getIntervention(ctx, tx, in.ID, sc, true)
		if err != nil {
			return err
		}
		if in.IfMatch != "" && !matches(in.IfMatch, iv.Version, false) {
			return httpx.PreconditionFailed(int(iv.Version))
		}
		if !editable(iv.Statut) {
			return statutConflict(iv.Statut, "L'intervention "+string(iv.Statut)+
				" ne peut plus être modifiée.")
		}
		changed := applyUpdate(iv, &in)
		if len(changed) > 0 {
			if err := m.updateWithPlugins(ctx, tx, p, iv, changed); err != nil {
				return err
			}
			if err := m.saveUpdate(ctx, tx, iv, changed); err != nil {
				return err
			}
		}
		resp, err = answer(http.StatusOK, iv, false)
		return err
	})
	return resp, err
}

// updateWithPlugins has the client's plugins validate the changed
// intervention and recompute their fields, noted in changed.
func (m *Module) updateWithPlugins(ctx context.Context, tx bun.IDB, p *auth.Principal,
	iv *InterventionOut, changed map[string]any) error {
	call, err := m.pluginCall(ctx, tx, p, iv, hookValidate, hookCompute)
	if err != nil || call == nil {
		return err
	}
	if err := m.pluginValidate(ctx, call, iv, "update"); err != nil {
		return err
	}
	computed, err := m.pluginCompute(ctx, call, iv)
	if computed {
		changed["extensions"] = iv.Extensions
	}
	return err
}

func (m *Module) saveUpdate(ctx context.Context, tx bun.IDB, iv *InterventionOut,
	changed map[string]any) error {
	iv.DateModification = now()
	if err := saveIntervention(ctx, tx, iv, iv.Version); err != nil {
		return err
	}
	return m.record(ctx, tx, iv, "update", "intervention.updated", nil,
		map[string]any{"intervention_id": iv.ID, "modifications": changed})
}

// applyUpdate copies the sent members into iv and returns those that
// changed with their new values.
func applyUpdate(iv *InterventionOut, in *InterventionUpdate) map[string]any {
	changed := map[string]any{}
	set := func(name string, differs bool, apply func(), value any) {
		if in.sent[name] && differs {
			apply()
			changed[name] = value
		}
	}
	set("titre", iv.Titre != in.Titre, func() { iv.Titre = in.Titre }, in.Titre)
	set("description", iv.Description != in.Description,
		func() { iv.Description = in.Description }, in.Description)
	set("priorite", iv.Priorite != in.Priorite, func() {
		iv.Priorite, iv.PrioriteRang = in.Priorite, in.Priorite.rang()
	}, in.Priorite)
	set("urgence", iv.Urgence != in.Urgence, func() { iv.Urgence = in.Urgence }, in.Urgence)
	set("date_planifiee", !sameTime(iv.DatePlanifiee, in.DatePlanifiee), func() {
		iv.DatePlanifiee = utcPtr(in.DatePlanifiee)
	}, in.DatePlanifiee)
	set("competences_requises",
		strings.Join(iv.CompetencesRequises, "\n") != strings.Join(in.CompetencesRequises, "\n"),
		func() { iv.CompetencesRequises = in.CompetencesRequises }, in.CompetencesRequises)
	if in.sent["extensions"] && mergeExtensions(iv, in.Extensions) {
		changed["extensions"] = in.Extensions
	}
	return changed
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// statutConflict is a 409 naming the current status and the actions
// possible from it.
func statutConflict(statut StatutIntervention, detail string) *httpx.Error {
	e := httpx.Conflict(detail)
	e.Extra = map[string]any{"statut": statut, "actions_autorisees": allowedActions(statut)}
	return e
}
