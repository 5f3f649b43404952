package host

import (
	"fmt"

	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
	"github.com/erp-interventions/erp/plugins/protocol"
)

// Hook names a hook point.
type Hook = protocol.Hook

// Intervention is the intervention a hook is called about.
type Intervention = protocol.Intervention

// Transition is the workflow step a transition hook is called about.
type Transition = protocol.Transition

// Call is what the interventions module passes to every hook: who acts,
// on which intervention, and for the transition hooks which step.
//
// A Call is also the argument of the AfterTransition job, so it has a
// JSON form.
type Call struct {
	// Intervention is the intervention as it is, or as it will be stored.
	// Its ClientID selects the plugins that apply.
	Intervention Intervention `json:"intervention"`
	// Role is the acting user's role: admin, responsable, technicien or
	// client.
	Role string `json:"role"`
	// Criticite is the criticality of the intervention's equipment: basse,
	// moyenne or haute.
	Criticite string `json:"criticite"`
	// Operation is "create" or "update" for Validate; unused otherwise.
	Operation string `json:"operation,omitempty"`
	// Transition is the step, for BeforeTransition and AfterTransition.
	Transition Transition `json:"transition"`
}

// AfterTransitionArgs is the background job that tells the plugins about
// a committed transition. The interventions module enqueues it inside the
// transition's transaction; the plugins module's worker calls
// AfterTransition with Call.
type AfterTransitionArgs struct {
	// Call is the intervention after the step, and the step.
	Call Call `json:"call"`
}

// AfterTransitionKind is the River job kind of AfterTransitionArgs.
const AfterTransitionKind = "plugins_after_transition"

// Kind names the job kind for River.
func (AfterTransitionArgs) Kind() string { return AfterTransitionKind }

// FieldError is a field a plugin refuses. The interventions module turns
// it into one entry of the ValidationError body: loc ["body", Field],
// msg Message, type Code.
type FieldError struct {
	// Plugin is the name of the plugin that refused the field.
	Plugin string
	// Field is the field's JSON name, such as titre or
	// extensions.reference_client.
	Field string
	// Message tells the user what is wrong.
	Message string
	// Code is a short machine-readable reason, plugin_validation by default.
	Code string
}

// wire is a Call converted once for every plugin it is sent to.
type wire struct {
	call         Call
	intervention *pluginv1.Intervention
	transition   *pluginv1.Transition
}

func newWire(c Call) (*wire, error) {
	iv, err := protocol.InterventionToProto(c.Intervention)
	if err != nil {
		return nil, fmt.Errorf("prepare plugin call: %w", err)
	}
	tr := protocol.TransitionToProto(c.Transition)
	return &wire{call: c, intervention: iv, transition: tr}, nil
}
