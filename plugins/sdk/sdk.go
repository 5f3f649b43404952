// Package sdk is what a client's developer imports to write an ERP
// Interventions plugin: implement the hook interfaces the plugin needs,
// embed Base for its name and version, and call Serve from main.
//
//	type plugin struct{ sdk.Base }
//
//	func (plugin) BeforeTransition(ctx context.Context,
//		r *sdk.TransitionRequest) (sdk.Decision, error) {
//		if r.Transition.Action == "annuler" && r.Role == "technicien" {
//			return sdk.Veto("un technicien ne peut pas annuler"), nil
//		}
//		return sdk.Allow(), nil
//	}
//
//	func main() { sdk.Serve(plugin{sdk.Base{Name: "demo", Version: "1.0.0"}}) }
//
// A plugin must never write to standard output: the host reads its
// handshake there. Log with Logger, which writes to standard error in the
// format the host turns into its own structured log lines.
package sdk

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/erp-interventions/erp/plugins/protocol"
)

// Intervention is the intervention a hook is called about.
type Intervention = protocol.Intervention

// Transition is the workflow step a transition hook is called about.
type Transition = protocol.Transition

// FieldError is one field ValidateIntervention refuses.
type FieldError = protocol.FieldError

// Hook names a hook point.
type Hook = protocol.Hook

// About names a plugin and its version, as `erp plugins list` shows them.
type About struct {
	Name    string
	Version string
}

// Plugin is what Serve runs: a value that names itself and implements one
// or more of Validator, TransitionGuard, TransitionObserver and
// FieldComputer. Serve announces exactly the hooks it implements.
type Plugin interface {
	About() About
}

// Base gives a plugin its About method; embed it and fill its fields.
type Base struct {
	Name    string
	Version string
}

// About returns the name and version held in b.
func (b Base) About() About { return About{Name: b.Name, Version: b.Version} }

// Request is what every hook receives.
type Request struct {
	// Role is the acting user's role: admin, responsable, technicien or
	// client.
	Role string
	// ClientID is the client organisation the intervention belongs to.
	ClientID int64
	// Criticite is the equipment's criticality: basse, moyenne or haute.
	Criticite string
	// Config is this plugin's config section from the server's
	// configuration; numbers are float64. DecodeConfig reads it into a
	// struct.
	Config map[string]any
	// Intervention is the intervention as it is (or would be) stored.
	Intervention Intervention
	// Operation is "create" or "update" for ValidateIntervention and empty
	// for the other hooks.
	Operation string
}

// DecodeConfig copies Config into v, a pointer to a struct with json tags,
// the way encoding/json would decode the same object.
func (r *Request) DecodeConfig(v any) error {
	raw, err := json.Marshal(r.Config)
	if err != nil {
		return fmt.Errorf("decode plugin config: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decode plugin config: %w", err)
	}
	return nil
}

// TransitionRequest is what the transition hooks receive.
type TransitionRequest struct {
	Request
	Transition Transition
}

// Decision is BeforeTransition's answer: allow the step, or veto it with
// a reason the user sees.
type Decision struct {
	Veto   bool
	Reason string
}

// Allow lets the step happen.
func Allow() Decision { return Decision{} }

// Veto refuses the step; reason tells the user why.
func Veto(reason string) Decision { return Decision{Veto: true, Reason: reason} }

// Validator is a plugin that checks interventions on create and update.
// Returning field errors refuses the write with a 400 naming the fields.
type Validator interface {
	ValidateIntervention(ctx context.Context, r *Request) ([]FieldError, error)
}

// TransitionGuard is a plugin that may veto a workflow step before it
// happens. A veto refuses the step with a 409 carrying the reason.
type TransitionGuard interface {
	BeforeTransition(ctx context.Context, r *TransitionRequest) (Decision, error)
}

// TransitionObserver is a plugin told about each workflow step after it
// was committed. It cannot change the outcome; an error is only logged and
// retried by the host's job queue.
type TransitionObserver interface {
	AfterTransition(ctx context.Context, r *TransitionRequest) error
}

// FieldComputer is a plugin that adds computed fields to an intervention.
// The returned object is merged into the intervention's extensions.
type FieldComputer interface {
	ComputeFields(ctx context.Context, r *Request) (map[string]any, error)
}

// HooksOf lists the hooks p serves, in protocol order.
func HooksOf(p Plugin) []Hook {
	var hooks []Hook
	if _, ok := p.(Validator); ok {
		hooks = append(hooks, protocol.HookValidate)
	}
	if _, ok := p.(TransitionGuard); ok {
		hooks = append(hooks, protocol.HookBeforeTransition)
	}
	if _, ok := p.(TransitionObserver); ok {
		hooks = append(hooks, protocol.HookAfterTransition)
	}
	if _, ok := p.(FieldComputer); ok {
		hooks = append(hooks, protocol.HookComputeFields)
	}
	return hooks
}
