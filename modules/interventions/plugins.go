package interventions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/uptrace/bun"

	"github.com/erp-interventions/erp/core/auth"
	"github.com/erp-interventions/erp/core/httpx"
	"github.com/erp-interventions/erp/plugins/host"
	"github.com/erp-interventions/erp/plugins/protocol"
)

// The plugin hooks, as the host names them.
const (
	hookValidate = protocol.HookValidate
	hookBefore   = protocol.HookBeforeTransition
	hookAfter    = protocol.HookAfterTransition
	hookCompute  = protocol.HookComputeFields
)

// Bounds of the extensions object a PATCH may write.
const (
	maxExtensionKeys  = 50
	maxExtensionKey   = 64
	maxExtensionBytes = 8 << 10
)

// The hooks run inside the write's transaction, after the row was read
// for update, so that what a plugin is shown is what gets stored.
//
// Limitation: a slow plugin therefore holds the intervention's row lock
// (PostgreSQL) or the database's write lock (SQLite) for up to its
// timeout (2 s by default); on SQLite every other write waits meanwhile.

// lookupPlugins takes the plugin host when the plugins module is enabled.
// This module does not require plugins: without them no hook is called.
func (m *Module) lookupPlugins() error {
	v, ok := m.services.Lookup(host.ServiceName)
	if !ok {
		return nil
	}
	ph, ok := v.(*host.Host)
	if !ok {
		return fmt.Errorf("service %q is a %T, not a *host.Host", host.ServiceName, v)
	}
	m.plugins = ph
	return nil
}

// serves reports whether a plugin for the client may serve one of hooks.
// It is false without the plugins module, so that nothing is read or
// called for plugins then.
func (m *Module) serves(clientID int64, hooks ...protocol.Hook) bool {
	if m.plugins == nil {
		return false
	}
	for _, h := range hooks {
		if m.plugins.Serves(h, clientID) {
			return true
		}
	}
	return false
}

// pluginCall prepares what every hook call about iv carries: the acting
// user's role and the equipment's criticality. It returns nil when no
// plugin applies to iv's client for any of hooks.
func (m *Module) pluginCall(ctx context.Context, tx bun.IDB, p *auth.Principal,
	iv *InterventionOut, hooks ...protocol.Hook) (*host.Call, error) {
	if !m.serves(iv.ClientID, hooks...) {
		return nil, nil
	}
	_, criticite, _, err := m.equip.Equipement(ctx, tx, iv.EquipementID, 0)
	if err != nil {
		return nil, fmt.Errorf("read equipment %d for plugins: %w", iv.EquipementID, err)
	}
	return &host.Call{Intervention: toPlugin(iv), Role: string(p.Role), Criticite: criticite}, nil
}

// toPlugin is iv as the plugin protocol shows it.
func toPlugin(iv *InterventionOut) host.Intervention {
	return host.Intervention{
		ID: iv.ID, EquipementID: iv.EquipementID, TechnicienID: iv.TechnicienID,
		ClientID: iv.ClientID, TypeIntervention: string(iv.TypeIntervention),
		Statut: string(iv.Statut), Priorite: string(iv.Priorite), Urgence: iv.Urgence,
		Titre: iv.Titre, Description: iv.Description, DateCreation: iv.DateCreation,
		DatePlanifiee: iv.DatePlanifiee, Extensions: iv.Extensions,
	}
}

// pluginValidate asks the plugins to check iv before a create or an
// update (operation) and refuses the write with a 400 naming every field
// they refuse. A plugin's field "extensions.reference_client" is answered
// with loc ["body", "extensions", "reference_client"].
func (m *Module) pluginValidate(ctx context.Context, call *host.Call, iv *InterventionOut,
	operation string) error {
	if call == nil {
		return nil
	}
	c := *call
	c.Intervention, c.Operation = toPlugin(iv), operation
	errs, err := m.plugins.Validate(ctx, c)
	if err != nil {
		return pluginFailure(err)
	}
	if len(errs) == 0 {
		return nil
	}
	fields := make([]httpx.FieldError, 0, len(errs))
	for _, fe := range errs {
		loc := append([]string{"body"}, strings.Split(fe.Field, ".")...)
		fields = append(fields, httpx.FieldError{Loc: loc, Msg: fe.Message, Type: fe.Code})
	}
	return httpx.Invalid(fields...)
}

// pluginCompute asks the plugins for computed fields and merges them into
// iv's extensions, a computed key replacing a stored one. It reports
// whether the extensions changed.
func (m *Module) pluginCompute(ctx context.Context, call *host.Call,
	iv *InterventionOut) (bool, error) {
	if call == nil || !m.plugins.Serves(hookCompute, iv.ClientID) {
		return false, nil
	}
	c := *call
	c.Intervention = toPlugin(iv)
	fields, err := m.plugins.ComputeFields(ctx, c)
	if err != nil {
		return false, pluginFailure(err)
	}
	return mergeExtensions(iv, fields), nil
}

// pluginVet asks the plugins whether the step in call may happen, and
// refuses it with a 409 carrying the reason of the plugin that vetoed.
func (m *Module) pluginVet(ctx context.Context, call *host.Call) error {
	if call == nil || !m.plugins.Serves(hookBefore, call.Intervention.ClientID) {
		return nil
	}
	v, err := m.plugins.BeforeTransition(ctx, *call)
	if err != nil {
		return pluginFailure(err)
	}
	if !v.Vetoed() {
		return nil
	}
	e := httpx.Conflict(v.Reason)
	e.Extra = map[string]any{"plugin": v.Plugin}
	return e
}

// pluginTell enqueues, inside the transition's transaction, the job that
// tells the plugins about the step once it is committed; the plugins
// module works it. Nothing is enqueued when no plugin serves the hook.
func (m *Module) pluginTell(ctx context.Context, tx bun.Tx, call *host.Call,
	iv *InterventionOut) error {
	if call == nil || !m.plugins.Serves(hookAfter, iv.ClientID) {
		return nil
	}
	c := *call
	c.Intervention = toPlugin(iv)
	if _, err := m.jobs.InsertTx(ctx, tx, host.AfterTransitionArgs{Call: c}, nil); err != nil {
		return fmt.Errorf("enqueue plugins' AfterTransition: %w", err)
	}
	return nil
}

// pluginFailure turns a host error into the answer: a 503 when a
// fail_closed plugin could not answer, the error itself otherwise.
func pluginFailure(err error) error {
	if !errors.Is(err, host.ErrUnavailable) {
		return fmt.Errorf("call plugins: %w", err)
	}
	e := httpx.NewError(http.StatusServiceUnavailable, "Un plugin nécessaire à cette "+
		"opération ne répond pas ; rien n'a été enregistré. Réessayez dans quelques instants.")
	e.Cause = err
	var he *host.Error
	if errors.As(err, &he) {
		e.Extra = map[string]any{"plugin": he.Plugin}
	}
	return e
}

// mergeExtensions sets fields into iv's extensions, a nil value removing
// its key, and reports whether anything changed.
func mergeExtensions(iv *InterventionOut, fields map[string]any) bool {
	if len(fields) == 0 {
		return false
	}
	if iv.Extensions == nil {
		iv.Extensions = map[string]any{}
	}
	changed := false
	for k, v := range fields {
		old, had := iv.Extensions[k]
		switch {
		case v == nil && had:
			delete(iv.Extensions, k)
			changed = true
		case v != nil && (!had || !sameJSON(old, v)):
			iv.Extensions[k] = v
			changed = true
		}
	}
	return changed
}

// sameJSON reports whether two JSON values encode alike.
func sameJSON(a, b any) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && string(x) == string(y)
}

// checkExtensions bounds the extensions member of a PATCH body.
func checkExtensions(ext map[string]any) *httpx.FieldError {
	bad := func(kind, msg string) *httpx.FieldError {
		e := httpx.Field("extensions", kind, msg)
		return &e
	}
	if len(ext) > maxExtensionKeys {
		return bad("too_long", fmt.Sprintf("au plus %d clés", maxExtensionKeys))
	}
	for k := range ext {
		if k == "" || utf8.RuneCountInString(k) > maxExtensionKey || strings.Contains(k, ".") {
			return bad("value_error", fmt.Sprintf("clés de 1 à %d caractères, sans point",
				maxExtensionKey))
		}
	}
	if b, err := json.Marshal(ext); err != nil || len(b) > maxExtensionBytes {
		return bad("too_long", fmt.Sprintf("au plus %d octets en JSON", maxExtensionBytes))
	}
	return nil
}
