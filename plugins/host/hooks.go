package host

import (
	"context"
	"log/slog"

	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
	"github.com/erp-interventions/erp/plugins/protocol"
)

// Validate asks the plugins that apply to the intervention's client to
// check it, on create (call.Operation "create") and update ("update"). It
// returns the field errors of every plugin; any field error means the
// write must be refused with a 400 naming the fields. An error matching
// ErrUnavailable means a fail_closed plugin could not answer.
func (h *Host) Validate(ctx context.Context, call Call) ([]FieldError, error) {
	runners := h.matching(call.Intervention.ClientID)
	if len(runners) == 0 {
		return nil, nil
	}
	w, err := newWire(call)
	if err != nil {
		return nil, err
	}
	var out []FieldError
	for _, r := range runners {
		var resp *pluginv1.ValidateResponse
		err := r.do(ctx, protocol.HookValidate, func(ctx context.Context,
			c pluginv1.PluginClient) (err error) {
			resp, err = c.ValidateIntervention(ctx, &pluginv1.ValidateRequest{
				Context: r.context(call), Intervention: w.intervention, Operation: call.Operation,
			})
			return err
		})
		if err := h.settle(ctx, r, protocol.HookValidate, err); err != nil {
			return nil, err
		}
		for _, fe := range protocol.FieldErrorsFromProto(resp.GetErrors()) {
			out = append(out, FieldError{Plugin: r.spec.Name, Field: fe.Field,
				Message: fe.Message, Code: fe.Code})
		}
	}
	return out, nil
}

// Veto is a plugin's refusal of a transition. The zero Veto allows it.
type Veto struct {
	// Plugin is the name of the plugin that refused.
	Plugin string
	// Reason tells the user why, in the plugin's words.
	Reason string
}

// Vetoed reports whether v refuses the transition.
func (v Veto) Vetoed() bool { return v.Reason != "" }

// BeforeTransition asks the plugins that apply to the intervention's
// client whether the step in call.Transition may happen. A veto comes
// from the first plugin that refused, to be answered as a 409 carrying
// its reason; the later plugins are not asked. An error matching
// ErrUnavailable means a fail_closed plugin could not answer.
func (h *Host) BeforeTransition(ctx context.Context, call Call) (Veto, error) {
	runners := h.matching(call.Intervention.ClientID)
	if len(runners) == 0 {
		return Veto{}, nil
	}
	w, err := newWire(call)
	if err != nil {
		return Veto{}, err
	}
	for _, r := range runners {
		var resp *pluginv1.BeforeTransitionResponse
		err := r.do(ctx, protocol.HookBeforeTransition, func(ctx context.Context,
			c pluginv1.PluginClient) (err error) {
			resp, err = c.BeforeTransition(ctx, w.transitionRequest(r))
			return err
		})
		if err := h.settle(ctx, r, protocol.HookBeforeTransition, err); err != nil {
			return Veto{}, err
		}
		if resp.GetVeto() {
			return veto(r, resp.GetReason(), call), nil
		}
	}
	return Veto{}, nil
}

func veto(r *runner, reason string, call Call) Veto {
	if reason == "" {
		reason = "Refusé par le plugin " + r.spec.Name + "."
	}
	r.log.Info("plugin vetoed a transition", slog.String("action", call.Transition.Action),
		slog.Int64("intervention_id", call.Intervention.ID), slog.String("reason", reason))
	return Veto{Plugin: r.spec.Name, Reason: reason}
}

// AfterTransition tells the plugins that apply to the intervention's
// client about a committed step. It is meant to run from a background
// job: an error matching ErrUnavailable (a fail_closed plugin could not be
// told) asks the job to retry; fail_open plugins are skipped.
func (h *Host) AfterTransition(ctx context.Context, call Call) error {
	runners := h.matching(call.Intervention.ClientID)
	if len(runners) == 0 {
		return nil
	}
	w, err := newWire(call)
	if err != nil {
		return err
	}
	for _, r := range runners {
		err := r.do(ctx, protocol.HookAfterTransition, func(ctx context.Context,
			c pluginv1.PluginClient) error {
			_, err := c.AfterTransition(ctx, w.transitionRequest(r))
			return err
		})
		if err := h.settle(ctx, r, protocol.HookAfterTransition, err); err != nil {
			return err
		}
	}
	return nil
}

// ComputeFields asks the plugins that apply to the intervention's client
// for computed fields, to be stored in the intervention's extensions
// object. The objects are merged in configuration order; when two plugins
// set the same key the first one wins and the conflict is logged. An
// error matching ErrUnavailable means a fail_closed plugin could not
// answer.
func (h *Host) ComputeFields(ctx context.Context, call Call) (map[string]any, error) {
	runners := h.matching(call.Intervention.ClientID)
	if len(runners) == 0 {
		return nil, nil
	}
	w, err := newWire(call)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	for _, r := range runners {
		var resp *pluginv1.ComputeResponse
		err := r.do(ctx, protocol.HookComputeFields, func(ctx context.Context,
			c pluginv1.PluginClient) (err error) {
			resp, err = c.ComputeFields(ctx, &pluginv1.ComputeRequest{
				Context: r.context(call), Intervention: w.intervention,
			})
			return err
		})
		if err := h.settle(ctx, r, protocol.HookComputeFields, err); err != nil {
			return nil, err
		}
		merge(out, protocol.MapFromStruct(resp.GetFields()), r)
	}
	return out, nil
}

func merge(into, fields map[string]any, r *runner) {
	for k, v := range fields {
		if _, taken := into[k]; taken {
			r.log.Warn("computed field already set by an earlier plugin; ignored",
				slog.String("field", k))
			continue
		}
		into[k] = v
	}
}

func (w *wire) transitionRequest(r *runner) *pluginv1.TransitionRequest {
	return &pluginv1.TransitionRequest{
		Context:      r.context(w.call),
		Intervention: w.intervention,
		Transition:   w.transition,
	}
}
