package protocol

import (
	"slices"

	pluginv1 "github.com/erp-interventions/erp/plugins/proto/erp/plugin/v1"
)

// Hook names a hook point, as logs, errors and `erp plugins list` show it.
type Hook string

// The hook points of protocol version 1.
const (
	HookValidate         Hook = "ValidateIntervention"
	HookBeforeTransition Hook = "BeforeTransition"
	HookAfterTransition  Hook = "AfterTransition"
	HookComputeFields    Hook = "ComputeFields"
)

// Hooks lists every hook point in a stable order.
var Hooks = []Hook{HookValidate, HookBeforeTransition, HookAfterTransition, HookComputeFields}

var hookToProto = map[Hook]pluginv1.Hook{
	HookValidate:         pluginv1.Hook_HOOK_VALIDATE_INTERVENTION,
	HookBeforeTransition: pluginv1.Hook_HOOK_BEFORE_TRANSITION,
	HookAfterTransition:  pluginv1.Hook_HOOK_AFTER_TRANSITION,
	HookComputeFields:    pluginv1.Hook_HOOK_COMPUTE_FIELDS,
}

// HooksToProto converts hook names for DescribeResponse.
func HooksToProto(hooks []Hook) []pluginv1.Hook {
	out := make([]pluginv1.Hook, 0, len(hooks))
	for _, h := range hooks {
		if p, ok := hookToProto[h]; ok {
			out = append(out, p)
		}
	}
	return out
}

// HooksFromProto converts the hooks of a DescribeResponse into the order
// of Hooks, dropping values this host does not know, which a newer plugin
// may announce.
func HooksFromProto(hooks []pluginv1.Hook) []Hook {
	var out []Hook
	for _, h := range Hooks {
		if slices.Contains(hooks, hookToProto[h]) {
			out = append(out, h)
		}
	}
	return out
}
